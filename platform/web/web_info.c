/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The pages every Dutch government site has, linked from every page's
 * footer (web_page_end()): /over (what meent is), /help (how to use it),
 * /toegankelijkheid (the accessibility statement, in the sections of the
 * government's model, toegankelijkheidsverklaring.nl) and /privacy (which
 * personal data meent keeps, how long, and the rights people have).
 *
 * The texts are constants here, in plain HTML, so that a maintainer edits
 * them in one place; what differs per instance (its name and address, the
 * session length) is filled in from the request's context. None of these
 * pages reads the database.
 *
 * When the site changes in a way these texts describe (a new kind of
 * personal data, a new check, a limitation solved), change them here and
 * set the date of the statement (WEB_INFO_CHECKED).
 */
#include "web/web.h"

#include <event2/buffer.h>

/* When the accessibility statement was last checked and brought up to date. */
#define WEB_INFO_CHECKED	"1 december 2026"

/* The licence's text, in Dutch, at the European Commission. */
#define WEB_INFO_EUPL	"https://interoperable-europe.ec.europa.eu/" \
	"collection/eupl/eupl-text-eupl-12"

/*
 * A sentence that says who runs this instance, by the name and address it
 * gives itself (meentctl, the configuration's base_url), escaped here.
 */
static void
web_info_operator(struct req *r, struct evbuffer *b)
{
	const struct instance *in = r->ctx->instance;
	const char *name = in != NULL && in->name != NULL && *in->name != '\0' ?
	    in->name : NULL;
	const char *url = in != NULL && in->base_url != NULL ?
	    in->base_url : NULL;

	html_out(b, "<p>Deze meent-omgeving");
	if (name != NULL)
		html_out(b, " heet <strong>%s</strong>", name);
	if (url != NULL)
		html_out(b, "%s staat op <span class=\"adres\">%s</span>",
		    name != NULL ? " en" : "", url);
	html_out(b, ". Een gemeente of een samenwerking van gemeenten beheert "
	    "haar. Die beheerder is verantwoordelijk voor deze website en "
	    "voor de gegevens erin.</p>\n");
}

/* The page's frame around its constant body (trusted HTML, a constant). */
static void
web_info_page(struct req *r, const char *title, const char *body,
    void (*extra)(struct req *, struct evbuffer *))
{
	struct evbuffer *b = evbuffer_new();

	web_page_start(r, b, title);
	html_out(b, "<h1>%s</h1>\n", title);
	html_raw(b, body);	/* a constant of this file */
	if (extra != NULL)
		extra(r, b);
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
}

static const char web_info_about[] =
    "<p>meent is een website waar gemeenten delen wat ze leren als ze "
    "werken met data. Een gemeente beschrijft een <a href=\"/pilots\">pilot"
    "</a>: wat ze wilde weten, hoe ze het aanpakte en wat het opleverde. "
    "Samen schrijven gemeenten <a href=\"/richtlijnen\">richtlijnen</a>: "
    "afspraken over hoe je zo'n project goed doet. En gemeenten vergelijken "
    "cijfers met elkaar in <a href=\"/benchmarks\">benchmarks</a>.</p>\n"
    "<h2>Voor wie</h2>\n"
    "<p>Voor medewerkers van gemeenten die met data werken: "
    "beleidsmedewerkers, onderzoekers, data-analisten en hun managers. "
    "Iedereen kan de openbare pilots, richtlijnen en cijfers lezen. Wie voor "
    "een gemeente werkt, kan een account krijgen om zelf pilots en cijfers "
    "te delen en wijzigingen in richtlijnen voor te stellen.</p>\n"
    "<h2>Wie deze website beheert</h2>\n";

static const char web_info_about_rest[] =
    "<h2>Samenwerken met andere meent-websites</h2>\n"
    "<p>Er kunnen meer meent-websites zijn, bijvoorbeeld een per provincie "
    "of per samenwerkingsverband. Zulke websites kunnen met elkaar "
    "afspreken dat ze elkaars openbare pilots en richtlijnen overnemen. Dat "
    "heet federatie. U ziet dan ook pilots van gemeenten die op een andere "
    "meent-website werken. Bij zo'n pilot of richtlijn staat waar hij "
    "vandaan komt. Wijzigen kan alleen op de website waar hij gemaakt is. "
    "Alleen openbare informatie gaat naar andere websites: geen concepten, "
    "niets wat alleen voor leden is, en geen persoonsgegevens.</p>\n"
    "<h2>Licentie en broncode</h2>\n"
    "<p>meent is open source. De broncode valt onder de "
    "<a href=\"" WEB_INFO_EUPL "\">European Union Public Licence "
    "(EUPL-1.2)</a>. Iedereen mag de code lezen, gebruiken, verbeteren en "
    "delen. De beheerder van deze website geeft u de broncode van de "
    "versie die hier draait, als u daarom vraagt.</p>\n"
    "<p>Meer weten? Lees de <a href=\"/help\">hulp bij het gebruik</a>, de "
    "<a href=\"/privacy\">privacyverklaring</a> en de "
    "<a href=\"/toegankelijkheid\">toegankelijkheidsverklaring</a>.</p>\n";

static void
web_info_about_extra(struct req *r, struct evbuffer *b)
{
	web_info_operator(r, b);
	html_raw(b, web_info_about_rest);	/* a constant of this file */
}

/* GET /over */
void
web_info_over(struct req *r)
{
	web_info_page(r, "Over meent", web_info_about, web_info_about_extra);
}

static const char web_info_help_text[] =
    "<p>Op deze pagina leest u hoe u meent gebruikt. Komt u er niet uit? "
    "Neem dan contact op met de beheerder van deze website (zie "
    "<a href=\"/over\">Over meent</a>).</p>\n"
    "<nav aria-labelledby=\"help-inhoud\"><h2 id=\"help-inhoud\">Op deze "
    "pagina</h2><ul>\n"
    "<li><a href=\"#pilots-vinden\">Pilots vinden die bij uw gemeente "
    "passen</a></li>\n"
    "<li><a href=\"#cijfers\">Cijfers vergelijken</a></li>\n"
    "<li><a href=\"#publiceren\">Een pilot publiceren</a></li>\n"
    "<li><a href=\"#voorstellen\">Een wijziging van een richtlijn "
    "voorstellen</a></li>\n"
    "<li><a href=\"#uploaden\">Een tabel veilig uploaden</a></li>\n"
    "<li><a href=\"#toetsenbord\">meent gebruiken zonder muis</a></li>\n"
    "</ul></nav>\n"
    "<h2 id=\"pilots-vinden\">Pilots vinden die bij uw gemeente passen</h2>\n"
    "<ol>\n<li>Kies op de <a href=\"/\">startpagina</a> uw gemeente. meent "
    "onthoudt die keuze in uw browser.</li>\n"
    "<li>Ga naar <a href=\"/pilots\">Pilots</a>. Kies een onderwerp, een "
    "provincie of een grootte van de gemeente. Dan ziet u pilots van "
    "gemeenten die op de uwe lijken.</li>\n"
    "<li>Zoekt u iets bepaalds? Gebruik <a href=\"/zoeken\">Zoeken</a>. Typ "
    "een paar woorden, bijvoorbeeld <em>schuldhulp voorspellen</em>.</li>\n"
    "</ol>\n"
    "<h2 id=\"cijfers\">Cijfers vergelijken</h2>\n"
    "<ol>\n<li>Ga naar <a href=\"/benchmarks\">Benchmarks</a> en kies een "
    "onderwerp.</li>\n"
    "<li>Kies uw gemeente en de groep waarmee u wilt vergelijken: gemeenten "
    "in dezelfde provincie, of gemeenten van dezelfde grootte.</li>\n"
    "<li>U ziet een grafiek en een tabel met dezelfde cijfers. De tabel kunt "
    "u ook downloaden.</li>\n</ol>\n"
    "<p>Sommige cijfers zijn geheim (×). Dat gebeurt als er zo weinig "
    "mensen in een groep zitten dat iemand te herkennen zou zijn.</p>\n"
    "<h2 id=\"publiceren\">Een pilot publiceren</h2>\n"
    "<p>Hiervoor hebt u een account nodig met de rol redacteur. Uw gemeente "
    "vraagt dat aan bij de beheerder.</p>\n"
    "<ol>\n<li><a href=\"/inloggen\">Log in</a> en kies <em>Mijn "
    "overzicht</em>. Kies daar <em>Nieuwe pilot beschrijven</em>.</li>\n"
    "<li>Vul het formulier in. Bij elk veld staat wat erin hoort. Velden met "
    "<em>(verplicht)</em> moet u invullen.</li>\n"
    "<li>Kies <em>Voorbeeld bekijken</em> om te zien hoe de pilot eruitziet. "
    "Er is "
    "dan nog niets opgeslagen.</li>\n"
    "<li>Kies <em>Opslaan als concept</em>: alleen uw gemeente ziet de pilot "
    "dan. Of kies <em>Publiceren</em>: dan ziet iedereen hem, of alleen "
    "leden, zoals u kiest.</li>\n</ol>\n"
    "<p>Schrijf geen namen of gegevens van inwoners in een pilot. Bij "
    "Contact zet u een team en een algemeen adres, geen persoon.</p>\n"
    "<h2 id=\"voorstellen\">Een wijziging van een richtlijn voorstellen</h2>\n"
    "<ol>\n<li>Log in en open de <a href=\"/richtlijnen\">richtlijn</a>. "
    "Kies onder <em>Over deze richtlijn</em> de link <em>Een wijziging "
    "voorstellen</em>.</li>\n"
    "<li>Pas de tekst aan en schrijf kort waarom.</li>\n"
    "<li>De beheerders van de richtlijn lezen uw voorstel. Zij nemen het "
    "over of leggen uit waarom niet. U ziet hun besluit bij het "
    "voorstel.</li>\n</ol>\n"
    "<h2 id=\"uploaden\">Een tabel veilig uploaden</h2>\n"
    "<p>U kunt cijfers van uw gemeente delen als CSV-bestand, bijvoorbeeld "
    "uit Excel.</p>\n"
    "<ol>\n<li>Log in en kies <a href=\"/datasets/nieuw\">Dataset "
    "uploaden</a>.</li>\n"
    "<li>Kies het onderwerp, de periode en het bestand.</li>\n"
    "<li>meent leest het bestand en maakt er een tabel van. Cellen met te "
    "weinig mensen worden geheim gehouden. Het bestand zelf bewaart meent "
    "nooit.</li>\n"
    "<li>U ziet eerst een verslag. Daarna kiest u: publiceren of "
    "weggooien.</li>\n</ol>\n"
    "<p>Upload nooit een bestand met namen, adressen, BSN's of andere "
    "gegevens waarmee iemand te herkennen is.</p>\n"
    "<h2 id=\"toetsenbord\">meent gebruiken zonder muis</h2>\n"
    "<p>Alles in meent werkt met het toetsenbord. Met Tab gaat u naar de "
    "volgende link of knop, met Shift+Tab terug. Met Enter kiest u. De "
    "eerste link op elke pagina is <em>Naar de inhoud</em>: die slaat het "
    "menu over. U kunt de tekst groter maken met Ctrl en + (op een Mac: "
    "Cmd en +).</p>\n";

/* GET /help */
void
web_info_help(struct req *r)
{
	web_info_page(r, "Hulp bij meent", web_info_help_text, NULL);
}

static const char web_info_a11y_text[] =
    "<p>De beheerder van deze website wil dat iedereen meent kan gebruiken, "
    "ook mensen met een beperking. Overheidswebsites moeten voldoen aan het "
    "Besluit digitale toegankelijkheid overheid. Dat betekent: voldoen aan "
    "de Europese norm EN 301 549, en daarmee aan de WCAG 2.1 op niveau A en "
    "AA.</p>\n"
    "<p>Deze verklaring geldt voor alle pagina's van deze meent-website, "
    "met de pagina's voor inloggen en voor het beheer van pilots, "
    "richtlijnen en datasets. Ze geldt niet voor bestanden die gebruikers "
    "zelf uploaden (bijlagen zoals PDF-bestanden) en niet voor websites "
    "waar we naar verwijzen.</p>\n"
    "<h2>Nalevingsstatus</h2>\n"
    "<p><strong>Deze website voldoet gedeeltelijk</strong> aan de eisen. "
    "Dat is onze eigen beoordeling. Een onafhankelijke partij heeft de "
    "website nog niet onderzocht. Hieronder staat wat we hebben gecontroleerd "
    "en welke problemen we kennen.</p>\n"
    "<h2>Hoe we dit hebben gecontroleerd</h2>\n"
    "<p>Bij elke nieuwe versie van meent controleren we automatisch alle "
    "pagina's:</p>\n<ul>\n"
    "<li>met axe-core (de regels voor WCAG 2.0 en 2.1, niveau A en AA) in "
    "de browser Chromium;</li>\n"
    "<li>met de Nu HTML Checker van het W3C, op fouten in de HTML;</li>\n"
    "<li>op schermen van 1280, 390 en 320 pixels breed: de pagina mag niet "
    "opzij schuiven, ook niet met lange woorden of brede tabellen.</li>\n"
    "</ul>\n"
    "<p>Een scherm van 320 pixels breed is hetzelfde als een groot scherm "
    "op 400% zoom. De test controleert ook dat de koppen in de goede "
    "volgorde staan en dat elke foutmelding bij haar veld hoort. Met de "
    "hand hebben we gecontroleerd dat de link <em>Naar de inhoud</em> en "
    "de rand om wat de focus heeft goed te zien zijn, en hoe pagina's "
    "eruitzien als u ze afdrukt.</p>\n"
    "<h2>Bekende problemen</h2>\n"
    "<p>Deze problemen kennen we. We werken eraan.</p>\n<ul>\n"
    "<li><strong>Grafieken.</strong> In sommige grafieken zijn de staven "
    "niet duidelijk genoeg te onderscheiden van de achtergrond, en de tekst "
    "erin is op een telefoon klein. Gevolg: wie slecht ziet, kan de "
    "grafiek moeilijk lezen. Oplossing nu: onder elke grafiek staat een "
    "tabel met dezelfde cijfers. We maken de grafieken duidelijker.</li>\n"
    "<li><strong>Taal.</strong> Nog niet alle teksten zijn in eenvoudig "
    "Nederlands (taalniveau B1). Soms ziet u een code in plaats van een naam, "
    "of een datum in een technische vorm. We herschrijven deze teksten.</li>\n"
    "<li><strong>Inhoud van gebruikers.</strong> Pilots, richtlijnen en "
    "bijlagen schrijven gemeenten zelf. Wij controleren niet of een "
    "bijlage (bijvoorbeeld een PDF) toegankelijk is. Een afbeelding in een "
    "tekst kan een beschrijving missen.</li>\n"
    "<li><strong>Pilots van andere meent-websites.</strong> Die worden "
    "gemaakt op een andere website. Voor hun inhoud is die website "
    "verantwoordelijk.</li>\n"
    "<li><strong>Nog niet met de hand getest.</strong> Niet alle "
    "formulieren zijn al met de hand doorlopen met alleen het toetsenbord "
    "en met een schermlezer. Dat doen we nog.</li>\n"
    "<li><strong>Downloads.</strong> Tabellen kunt u downloaden als "
    "CSV-bestand. Of zo'n bestand toegankelijk is, hangt af van het "
    "programma waarmee u het opent.</li>\n"
    "</ul>\n"
    "<h2>Een probleem melden</h2>\n"
    "<p>Kunt u iets op deze website niet gebruiken? Of hebt u een vraag over "
    "toegankelijkheid? Laat het de beheerder van deze website weten. Zeg "
    "op welke pagina het was en wat er misging. U krijgt binnen 5 werkdagen "
    "een bevestiging, en binnen 3 weken een antwoord. Hebt u de informatie "
    "nodig die u niet kon lezen? Dan krijgt u die op een andere manier.</p>\n";

static const char web_info_a11y_rest[] =
    "<h2>Als u niet tevreden bent</h2>\n"
    "<p>Bent u niet tevreden over hoe uw melding is behandeld? Dan kunt u "
    "een klacht indienen bij de organisatie die deze website beheert. Bent "
    "u daarna nog niet tevreden? Dan kunt u terecht bij de Nationale "
    "ombudsman (<a href=\"https://www.nationaleombudsman.nl\">"
    "www.nationaleombudsman.nl</a>). Bent u jonger dan 18 jaar? Dan kunt u "
    "terecht bij de Kinderombudsman (<a href=\"https://www.dekinderombudsman"
    ".nl\">www.dekinderombudsman.nl</a>).</p>\n"
    "<h2>Datum</h2>\n"
    "<p>Deze verklaring is gemaakt en voor het laatst gecontroleerd op "
    WEB_INFO_CHECKED ".</p>\n";

static void
web_info_a11y_extra(struct req *r, struct evbuffer *b)
{
	html_out(b, "<h2>Wie deze website beheert</h2>\n");
	web_info_operator(r, b);
	html_raw(b, web_info_a11y_rest);	/* a constant of this file */
}

/* GET /toegankelijkheid */
void
web_info_accessibility(struct req *r)
{
	web_info_page(r, "Toegankelijkheidsverklaring", web_info_a11y_text,
	    web_info_a11y_extra);
}

static const char web_info_privacy_text[] =
    "<p>meent bewaart zo weinig persoonsgegevens als het kan. Op deze "
    "pagina leest u welke gegevens dat zijn, waarom, en hoe lang.</p>\n"
    "<h2>Als u alleen leest</h2>\n"
    "<p>Wie meent alleen leest, heeft geen account nodig. meent bewaart dan "
    "niets over u. Kiest u op de startpagina uw gemeente? Dan onthoudt uw "
    "browser die keuze in een cookie (<code>meent_gemeente</code>), een "
    "jaar lang. In dat cookie staat alleen de code van de gemeente. meent "
    "gebruikt geen cookies van anderen en volgt u niet.</p>\n"
    "<h2>Als u een account hebt</h2>\n"
    "<p>Accounts zijn voor medewerkers van gemeenten. Van uw account bewaart "
    "meent:</p>\n<ul>\n"
    "<li>uw naam en uw e-mailadres;</li>\n"
    "<li>uw gemeente en uw rol (lezer, redacteur of beheerder);</li>\n"
    "<li>uw wachtwoord, maar nooit zoals u het typt: alleen een versleutelde "
    "vorm (Argon2id) waaruit het wachtwoord niet terug te halen is.</li>\n"
    "</ul>\n"
    "<p>Als u inlogt, krijgt uw browser een cookie "
    "(<code>meent_sessie</code>). meent bewaart daarvan alleen een "
    "versleutelde vorm, met wanneer het verloopt. Na het uitloggen, of als "
    "het cookie verlopen is, wordt het gewist. Wie op een browser al eens "
    "heeft ingelogd, krijgt ook een cookie (<code>meent_apparaat</code>) "
    "dat die browser herkent, zodat u niet wordt buitengesloten als iemand "
    "anders uw wachtwoord probeert te raden.</p>\n"
    "<h2>Inloggen beveiligen</h2>\n"
    "<p>Om te voorkomen dat iemand wachtwoorden raadt, telt meent hoe vaak "
    "er vanaf een internetadres is geprobeerd in te loggen, en hoe vaak het "
    "wachtwoord van een account fout was. Dit staat alleen in het geheugen "
    "van de server, een paar minuten. Het wordt niet opgeslagen.</p>\n"
    "<h2>E-mail</h2>\n"
    "<p>meent stuurt e-mail, bijvoorbeeld een link om een nieuw wachtwoord "
    "te kiezen. Een bericht wacht in een wachtrij tot het verstuurd is. Een "
    "verstuurd bericht wordt na 7 dagen gewist, een bericht dat niet "
    "verstuurd kon worden na 30 dagen. Een link voor een nieuw wachtwoord "
    "werkt 30 minuten.</p>\n"
    "<h2>Wat meent nooit bewaart</h2>\n<ul>\n"
    "<li>Het bestand dat u uploadt om een tabel te maken. meent leest het, "
    "maakt er een beschermde tabel van en gooit het bestand daarna weg. "
    "Ook na een fout.</li>\n"
    "<li>Persoonsgegevens in de logbestanden. Daarin staan geen "
    "e-mailadressen, geen internetadressen en geen inhoud van "
    "formulieren.</li>\n"
    "<li>Persoonsgegevens in de nieuwsfeeds (RSS/Atom), in berichten aan "
    "andere systemen (webhooks) en in wat naar andere meent-websites gaat. "
    "Bij een pilot of richtlijn staat de gemeente, niet de persoon.</li>\n"
    "</ul>\n"
    "<p>Wat u zelf in een pilot schrijft, kunnen anderen lezen. Schrijf er "
    "dus geen namen of gegevens van inwoners of collega's in.</p>\n"
    "<h2>Hoe lang</h2>\n<ul>\n"
    "<li>Uw account: zolang u het nodig hebt voor uw werk. Gaat u weg bij "
    "uw gemeente, of hebt u het account niet meer nodig? Vraag de beheerder "
    "dan om het weg te halen. Uw sessies worden dan ook gewist.</li>\n";

static const char web_info_privacy_rest[] =
    "<li>E-mail: 7 dagen na verzending, of 30 dagen als verzenden niet "
    "lukte.</li>\n"
    "<li>Pogingen om in te loggen: alleen in het geheugen, een paar "
    "minuten.</li>\n</ul>\n"
    "<p>De beheerder maakt reservekopieën (backups) van de database. Daarin "
    "staan dezelfde gegevens. De beheerder bepaalt hoe lang die bewaard "
    "blijven.</p>\n"
    "<h2>Uw rechten</h2>\n"
    "<p>U mag altijd vragen welke gegevens meent over u heeft (inzage). U "
    "mag vragen om fouten te verbeteren (correctie) en om uw gegevens te "
    "wissen (verwijdering). Stuur daarvoor een bericht aan de beheerder van "
    "deze website. Bent u het niet eens met hoe de beheerder met uw "
    "gegevens omgaat? Dan kunt u een klacht indienen bij de Autoriteit "
    "Persoonsgegevens (<a href=\"https://www.autoriteitpersoonsgegevens.nl\">"
    "www.autoriteitpersoonsgegevens.nl</a>).</p>\n"
    "<h2>Wie verantwoordelijk is</h2>\n";

static void
web_info_privacy_extra(struct req *r, struct evbuffer *b)
{
	int h = r->ctx->cfg != NULL ? r->ctx->cfg->session_hours : 12;

	html_out(b, "<li>Een sessie (ingelogd blijven): hoogstens %d uur, of "
	    "korter als u uitlogt.</li>\n", h);
	html_raw(b, web_info_privacy_rest);	/* a constant of this file */
	web_info_operator(r, b);
}

/* GET /privacy */
void
web_info_privacy(struct req *r)
{
	web_info_page(r, "Privacyverklaring", web_info_privacy_text,
	    web_info_privacy_extra);
}
