/* commit_io.c - the table of disk steps (commit_io.h): the defaults, and
 * the copy a test installs in their place. */
#include <stddef.h>

#include "base/platform.h"
#include "regf/patch.h"
#include "write/commit_io.h"

static int
write_hive_default(struct mp_store *s, const char *path)
{
	return s->ops->write_to(s, path);
}

static const struct mp_commit_io default_io = {
    .copy = mp_copy_fd,
    .patch = mp_regf_patch,
    .write_hive = write_hive_default,
    .write = mp_write_full,
    .copy_span = mp_copy_span,
    .fsync = mp_fsync,
    .open_unnamed = mp_temp_open_unnamed,
    .link_unnamed = mp_link_unnamed,
    .remove = mp_unlink,
    .link = mp_link,
    .rename = mp_rename,
    .fsync_dir = mp_fsync_dir,
    .reset = mp_truncate_path,
    .chown = mp_fchown,
    .chmod = mp_fchmod,
    .pwrite = mp_pwrite_full,
};

static struct mp_commit_io test_io;
static int test_io_set;

void
mp_commit_set_io(const struct mp_commit_io *io)
{
	test_io_set = io != NULL;
	if (io == NULL)
		return;
	test_io.copy = io->copy != NULL ? io->copy : default_io.copy;
	test_io.patch = io->patch != NULL ? io->patch : default_io.patch;
	test_io.write_hive = io->write_hive != NULL ? io->write_hive : default_io.write_hive;
	test_io.write = io->write != NULL ? io->write : default_io.write;
	test_io.copy_span = io->copy_span != NULL ? io->copy_span : default_io.copy_span;
	test_io.fsync = io->fsync != NULL ? io->fsync : default_io.fsync;
	test_io.open_unnamed =
	    io->open_unnamed != NULL ? io->open_unnamed : default_io.open_unnamed;
	test_io.link_unnamed =
	    io->link_unnamed != NULL ? io->link_unnamed : default_io.link_unnamed;
	test_io.remove = io->remove != NULL ? io->remove : default_io.remove;
	test_io.link = io->link != NULL ? io->link : default_io.link;
	test_io.rename = io->rename != NULL ? io->rename : default_io.rename;
	test_io.fsync_dir = io->fsync_dir != NULL ? io->fsync_dir : default_io.fsync_dir;
	test_io.reset = io->reset != NULL ? io->reset : default_io.reset;
	test_io.chown = io->chown != NULL ? io->chown : default_io.chown;
	test_io.chmod = io->chmod != NULL ? io->chmod : default_io.chmod;
	test_io.pwrite = io->pwrite != NULL ? io->pwrite : default_io.pwrite;
}

const struct mp_commit_io *
mp_commit_default_io(void)
{
	return &default_io;
}

const struct mp_commit_io *
mp_commit_io_current(void)
{
	return test_io_set ? &test_io : &default_io;
}
