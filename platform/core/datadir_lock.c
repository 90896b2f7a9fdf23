/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * One meentd per data directory, and no restore under a running one: who
 * holds an flock(2) on <data>/meent.lock uses the directory. meentd takes
 * it before anything else touches the data and keeps it while it runs;
 * meentctl restore takes it for as long as it overwrites the database.
 * The kernel lets go of it when the process ends, crash or not; the file
 * itself stays (it holds nothing).
 */
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/*
 * Take the lock of data_dir. Returns its descriptor (keep it open for as
 * long as the lock is needed), or -1 with *err (caller frees): the
 * directory is in use, or the file cannot be made.
 */
int
datadir_lock(const char *data_dir, char **err)
{
	char *path = xasprintf("%s/meent.lock", data_dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd == -1) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		*err = errno == EWOULDBLOCK ? xasprintf("%s is in use by a "
		    "running meentd (or a restore): stop it first", data_dir) :
		    xasprintf("%s: %s", path, strerror(errno));
		close(fd);
		free(path);
		return -1;
	}
	free(path);
	return fd;
}
