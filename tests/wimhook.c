/* wimhook.c - preloaded (LD_PRELOAD) into the CLI by test_cli_wim_load: at
 * exit, appends to $MP_WIM_LOG whether wimlib's library was mapped into the
 * process ("libwim mapped" or "libwim not mapped", from /proc/self/maps);
 * with $MP_WIM_HIDE set, a dlopen of wimlib is made to fail as on a system
 * without it, the loader's own message kept. */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
log_line(const char *line)
{
	const char *path = getenv("MP_WIM_LOG");
	if (path == NULL)
		return;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, strlen(line)) < 0)
		(void)0;
	close(fd);
}

__attribute__((destructor)) static void
report_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];
	int mapped = 0;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, "/libwim.so") != NULL)
			mapped = 1;
	if (f == NULL)
		log_line("no maps\n");
	else
		fclose(f);
	log_line(mapped ? "libwim mapped\n" : "libwim not mapped\n");
}

void *
dlopen(const char *file, int mode)
{
	void *sym = dlsym(RTLD_NEXT, "dlopen");
	void *(*real)(const char *, int);
	memcpy(&real, &sym, sizeof(real));
	if (file != NULL && getenv("MP_WIM_HIDE") != NULL && strstr(file, "libwim") != NULL)
		file = "libwim-hidden-by-wimhook.so";
	return real(file, mode);
}
