/* hashhook.c - preloaded (LD_PRELOAD) into the CLI by test_cli_hash: stands
 * in for nettle's sha256_update, calls the real one, and appends a line
 * per call to the file $MP_HASH_LOG saying which thread hashed how many
 * bytes ("main N" or "thread N"); "loaded" first, so a test knows the hook
 * was in place when nothing was hashed. */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/sha2.h>

static pthread_t main_thread;
static pthread_once_t found = PTHREAD_ONCE_INIT;
typedef void (*update_fn)(struct sha256_ctx *, size_t, const uint8_t *);
static update_fn real_update;

static void
find_real(void)
{
	void *sym = dlsym(RTLD_NEXT, "nettle_sha256_update");
	memcpy(&real_update, &sym, sizeof(real_update));
}

static void
log_line(const char *line)
{
	const char *path = getenv("MP_HASH_LOG");
	if (path == NULL)
		return;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	/* One write of a whole line: O_APPEND keeps two threads' lines apart. */
	if (write(fd, line, strlen(line)) < 0)
		(void)0;
	close(fd);
}

__attribute__((constructor)) static void
loaded(void)
{
	main_thread = pthread_self();
	log_line("loaded\n");
}

/* nettle/sha2.h maps sha256_update to this name. */
void
nettle_sha256_update(struct sha256_ctx *ctx, size_t length, const uint8_t *data)
{
	pthread_once(&found, find_real);
	char line[64];
	snprintf(line, sizeof(line), "%s %zu\n",
	         pthread_equal(pthread_self(), main_thread) ? "main" : "thread", length);
	log_line(line);
	real_update(ctx, length, data);
}
