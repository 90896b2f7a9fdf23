/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A unit test's database file in a folder of its own (mkdtemp): removed
 * with its WAL and shared-memory files, and the folder, by the teardown.
 */
#ifndef MEENT_TEST_TMPDB_H
#define MEENT_TEST_TMPDB_H

#include <stdlib.h>
#include <unistd.h>

/* Remove path (freed here), its -wal and -shm, and the folder dir. */
static inline void
tmpdb_remove(char *path, const char *dir)
{
	static const char *const ext[] = { "", "-wal", "-shm" };

	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		char *f = xasprintf("%s%s", path, ext[i]);

		unlink(f);
		free(f);
	}
	free(path);
	rmdir(dir);
}

#endif
