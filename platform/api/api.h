/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The API handlers (/api/v1, /.well-known, operations): JSON and
 * problem+json over the model. Never calls the web pages.
 */
#ifndef MEENT_API_H
#define MEENT_API_H

#include "model/model.h"

/* api_attachments.c */
void	 api_attachments_list(struct req *);
void	 api_attachments_create(struct req *);
void	 api_attachments_get(struct req *);
void	 api_attachments_delete(struct req *);

/* api_body.c */
int	 api_body_json(struct req *, json_t **);

/* api_contacts.c */
void	 api_contacts_municipality(struct req *);
void	 api_contacts_pilot(struct req *);

/* api_datasets.c */
void	 api_datasets_create(struct req *);
void	 api_datasets_list(struct req *);
void	 api_datasets_get(struct req *);
void	 api_datasets_publish(struct req *);
void	 api_datasets_delete(struct req *);

/* api_federation.c */
void	 api_federation_wellknown(struct req *);
void	 api_federation_changes(struct req *);
void	 api_federation_notify(struct req *);

/* api_guidelines.c */
void	 api_guidelines_list(struct req *);
void	 api_guidelines_get(struct req *);
void	 api_guidelines_create(struct req *);
void	 api_guidelines_put(struct req *);
void	 api_guidelines_versies(struct req *);
void	 api_guidelines_versie(struct req *);
void	 api_guidelines_revise(struct req *);
void	 api_guidelines_diff(struct req *);
void	 api_guidelines_voorstellen(struct req *);
void	 api_guidelines_propose(struct req *);
void	 api_guidelines_voorstel(struct req *);
void	 api_guidelines_decide(struct req *);
void	 api_guidelines_adopties(struct req *);
void	 api_guidelines_adopt(struct req *);
void	 api_guidelines_unadopt(struct req *);

/* api_indicators.c */
void	 api_indicators_list(struct req *);
void	 api_indicators_get(struct req *);
void	 api_indicators_vergelijking(struct req *);

/* api_me.c */
void	 api_me_get(struct req *);
void	 api_me_overzicht(struct req *);

/* api_municipalities.c */
void	 api_municipalities_list(struct req *);
void	 api_municipalities_get(struct req *);

/* api_openapi.c */
void	 api_openapi_get(struct req *);

/* api_pilots.c */
void	 api_pilots_list(struct req *);
void	 api_pilots_get(struct req *);
void	 api_pilots_create(struct req *);
void	 api_pilots_put(struct req *);
void	 api_pilots_patch(struct req *);
void	 api_pilots_delete(struct req *);
void	 api_zoek(struct req *);

/* api_reactions.c */
void	 api_reactions_list(struct req *);

/* api_tokens.c */
void	 api_tokens_list(struct req *);
void	 api_tokens_create(struct req *);
void	 api_tokens_revoke(struct req *);

/* ops.c */
void	 ops_healthz(struct req *);
void	 ops_readyz(struct req *);
void	 ops_metrics(struct req *);


#endif /* MEENT_API_H */
