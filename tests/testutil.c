/* testutil.c - see testutil.h.  Uses only the public API, so that
 * test_public_api (linked against the shared library) can share it. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mapiprof/mapiprof.h>

#include "cli_server.h"
#include "testutil.h"

extern char **environ;

char *tu_tmp;
struct mapiprof_ctx *tu_ctx;
struct mapiprof_file *tu_file;
struct tu_run tu_last;

char *
tu_mkdtemp(void)
{
	const char *base = getenv("TMPDIR");
	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	size_t n = strlen(base) + 32;
	char *p = malloc(n);
	if (p == NULL)
		return NULL;
	snprintf(p, n, "%s/mapiprof-test-XXXXXX", base);
	if (mkdtemp(p) == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

void
tu_rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		size_t n = strlen(dir) + strlen(e->d_name) + 2;
		char *p = malloc(n);
		if (p == NULL)
			break;
		snprintf(p, n, "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			tu_rmtree(p);
		else
			unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

char *
tu_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	while (buf != NULL) {
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n < cap)
			break;
		char *nb = realloc(buf, cap * 2 + 1);
		if (nb == NULL) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	fclose(f);
	if (buf == NULL)
		return NULL;
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

int
tu_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		return -1;
	size_t w = fwrite(data, 1, len, f);
	int rc = fclose(f);
	return (w == len && rc == 0) ? 0 : -1;
}

int
tu_copy(const char *src, const char *dst)
{
	size_t len;
	char *buf = tu_read(src, &len);
	if (buf == NULL)
		return -1;
	int rc = tu_write(dst, buf, len);
	free(buf);
	return rc;
}

static int
append(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t nc = (*cap + n + 1) * 2;
		char *nb = realloc(*buf, nc);
		if (nb == NULL)
			return -1;
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

const char *tu_stdin;

int
tu_long_mode(void)
{
	const char *v = getenv("MP_TEST_LONG");
	return v != NULL && strcmp(v, "1") == 0;
}

uint64_t
tu_file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* ---- the CLI server (cli_server.c) ----------------------------------------- */

/* Names the server's socket for the test processes of one program. */
#define CS_ENV "MP_TEST_CLI_SERVER"

/* In Criterion's runner process: the server and the write end of its
 * lifeline. */
static pid_t cs_pid = -1;
static int cs_lifeline = -1;
static char cs_dir[96];
static char cs_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

/* A copy of fd at 10 or above, close-on-exec, so that posix_spawn's dup2
 * onto 3 and 4 never meets the descriptor it copies. */
static int
cs_high(int fd)
{
	int h = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	close(fd);
	return h;
}

/* Starts the server; without it (MP_TEST_EXEC=1, or any failure) every
 * command is executed. */
static void
cs_start(void)
{
	const char *exec = getenv("MP_TEST_EXEC");
	if (exec != NULL && strcmp(exec, "1") == 0)
		return;
	const char *base = getenv("TMPDIR");
	snprintf(cs_dir, sizeof(cs_dir), "%s/mp-cli-XXXXXX",
	         base != NULL && base[0] != '\0' && strlen(base) < 80 ? base : "/tmp");
	if (mkdtemp(cs_dir) == NULL)
		return;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	size_t n = strlen(cs_dir); /* under 96 bytes, and "/cli" fits */
	memcpy(cs_path, cs_dir, n);
	memcpy(cs_path + n, "/cli", 5);
	memcpy(a.sun_path, cs_path, n + 5);
	int ls = cs_high(socket(AF_UNIX, SOCK_STREAM, 0));
	int life[2] = {-1, -1};
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(ls, 64) != 0 ||
	    pipe(life) != 0)
		goto fail;
	life[0] = cs_high(life[0]);
	life[1] = cs_high(life[1]);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, ls, CS_LISTEN_FD);
	posix_spawn_file_actions_adddup2(&fa, life[0], CS_LIFELINE_FD);
	char *const argv[] = {(char *)MP_CLI_SERVER, NULL};
	int err = posix_spawn(&cs_pid, MP_CLI_SERVER, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(life[0]);
	close(ls);
	if (err != 0) {
		cs_pid = -1;
		close(life[1]);
		unlink(cs_path);
		rmdir(cs_dir);
		return;
	}
	cs_lifeline = life[1];
	setenv(CS_ENV, cs_path, 1);
	return;
fail:
	if (ls >= 0)
		close(ls);
	if (life[0] >= 0)
		close(life[0]);
	if (life[1] >= 0)
		close(life[1]);
	unlink(cs_path);
	rmdir(cs_dir);
}

static void
cs_stop(void)
{
	if (cs_pid < 0)
		return;
	unsetenv(CS_ENV);
	close(cs_lifeline);
	while (waitpid(cs_pid, NULL, 0) < 0 && errno == EINTR)
		;
	unlink(cs_path);
	rmdir(cs_dir);
	cs_pid = -1;
}

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	(void)set;
	cs_start();
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	cs_stop();
}

/* Hands the command argv (mapiprof) to the server with its three streams;
 * returns the connection its wait status will come back on, or -1 when
 * there is no server or it cannot take the command (then it is executed). */
static int
cs_send(char *const argv[], int infd, int outfd, int errfd)
{
	const char *path = getenv(CS_ENV);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (path == NULL || strcmp(argv[0], MP_CLI) != 0 || strlen(path) >= sizeof(a.sun_path) ||
	    infd < 0)
		return -1;
	memcpy(a.sun_path, path, strlen(path) + 1);
	char cwd[4096];
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return -1;
	struct cs_request req = {0};
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int bad = append(&buf, &len, &cap, cwd, strlen(cwd) + 1);
	for (; argv[req.argc] != NULL; req.argc++)
		bad |= append(&buf, &len, &cap, argv[req.argc], strlen(argv[req.argc]) + 1);
	for (; environ[req.envc] != NULL; req.envc++)
		bad |= append(&buf, &len, &cap, environ[req.envc], strlen(environ[req.envc]) + 1);
	mode_t mask = umask(022);
	umask(mask);
	req.umask = (uint32_t)mask;
	req.len = (uint32_t)len;
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bad != 0 || len > CS_MAX_LEN || s < 0 ||
	    connect(s, (struct sockaddr *)&a, sizeof(a)) != 0)
		goto fail;
	int fds[3] = {infd, outfd, errfd};
	char control[CMSG_SPACE(sizeof(fds))];
	memset(control, 0, sizeof(control));
	struct iovec iov = {&req, sizeof(req)};
	struct msghdr msg = {0};
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control;
	msg.msg_controllen = sizeof(control);
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	if (sendmsg(s, &msg, MSG_NOSIGNAL) != (ssize_t)sizeof(req))
		goto fail;
	for (size_t off = 0; off < len;) {
		ssize_t n = send(s, buf + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	free(buf);
	return s;
fail:
	if (s >= 0)
		close(s);
	free(buf);
	return -1;
}

/* The wait status the server sends back once the command has ended; a
 * broken connection counts as a command that could not run. */
static int
cs_status(int s)
{
	int status;
	size_t got = 0;
	while (got < sizeof(status)) {
		ssize_t n = read(s, (char *)&status + got, sizeof(status) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(s);
	return got == sizeof(status) ? status : 127 << 8;
}

unsigned tu_served_runs;

int
tu_run(char *const argv[], struct tu_run *r)
{
	int po[2], pe[2];
	memset(r, 0, sizeof(*r));
	if (pipe(po) != 0)
		return -1;
	if (pipe(pe) != 0) {
		close(po[0]);
		close(po[1]);
		return -1;
	}
	for (int i = 0; i < 2; i++) { /* the command gets copies at 1 and 2 */
		fcntl(po[i], F_SETFD, FD_CLOEXEC);
		fcntl(pe[i], F_SETFD, FD_CLOEXEC);
	}
	const char *in = tu_stdin != NULL ? tu_stdin : "/dev/null";
	tu_stdin = NULL;
	int infd = open(in, O_RDONLY | O_CLOEXEC);
	/* mapiprof runs in the CLI server; anything else, or without a
	 * server, is executed.  posix_spawn, not fork: a
	 * sanitizer build's test process has a large address space whose page
	 * tables fork would copy for every command. */
	pid_t pid = -1;
	int served = cs_send(argv, infd, po[1], pe[1]);
	int err = 0;
	if (served < 0) {
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		if (infd >= 0)
			posix_spawn_file_actions_adddup2(&fa, infd, 0);
		posix_spawn_file_actions_adddup2(&fa, po[1], 1);
		posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
		err = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
	}
	if (infd >= 0)
		close(infd);
	if (err != 0) { /* as a shell reports a command it cannot run */
		close(po[0]);
		close(po[1]);
		close(pe[0]);
		close(pe[1]);
		r->out = calloc(1, 1);
		r->err = strdup(strerror(err));
		r->status = 127;
		return r->out != NULL && r->err != NULL ? 0 : -1;
	}
	close(po[1]);
	close(pe[1]);
	size_t ocap = 0, ecap = 0;
	r->out = calloc(1, 1);
	r->err = calloc(1, 1);
	struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
	int open_fds = 2;
	while (open_fds > 0) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || fds[i].revents == 0)
				continue;
			char tmp[4096];
			ssize_t n = read(fds[i].fd, tmp, sizeof(tmp));
			if (n <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
				continue;
			}
			if (i == 0)
				append(&r->out, &r->outlen, &ocap, tmp, (size_t)n);
			else
				append(&r->err, &r->errlen, &ecap, tmp, (size_t)n);
		}
	}
	int st = 0;
	if (served >= 0) {
		st = cs_status(served);
		tu_served_runs++;
	} else
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	if (WIFEXITED(st))
		r->status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		r->status = 128 + WTERMSIG(st);
	return 0;
}

/* The program the CLI tests run: MP_TEST_CLI when set (tests/wine-cli.sh
 * runs the Windows build's mapiprof.exe under Wine), else the built CLI. */
const char *
tu_cli_program(void)
{
	const char *v = getenv("MP_TEST_CLI");
	return v != NULL && v[0] != '\0' ? v : MP_CLI;
}

int
tu_cli_windows(void)
{
	const char *v = getenv("MP_TEST_CLI_OS");
	return v != NULL && strcmp(v, "windows") == 0;
}

char *
tu_cli_user_path(const char *path)
{
	char *p = NULL;
	if (!tu_cli_windows() || path[0] != '/') {
		p = strdup(path);
		cr_assert_not_null(p);
		return p;
	}
	/* Wine's drive Z: is the Unix root (its default dosdevices/z: link). */
	size_t len = strlen(path) + 3;
	p = malloc(len);
	cr_assert_not_null(p);
	snprintf(p, len, "Z:%s", path);
	for (char *c = p; *c != '\0'; c++)
		if (*c == '/')
			*c = '\\';
	return p;
}

int
tu_cliv(struct tu_run *r, const char *arg, va_list ap)
{
	char *argv[64];
	int argc = 0;
	argv[argc++] = (char *)tu_cli_program();
	for (const char *a = arg; a != NULL && argc < 63; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	argv[argc] = NULL;
	return tu_run(argv, r);
}

int
tu_cli(struct tu_run *r, ...)
{
	va_list ap;
	va_start(ap, r);
	const char *arg = va_arg(ap, const char *);
	int rc = tu_cliv(r, arg, ap);
	va_end(ap);
	return rc;
}

void
tu_run_free(struct tu_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

static char *
join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p != NULL)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

char *
tu_fixture(const char *name)
{
	return join(MP_FIXTURES_BUILD, name);
}

char *
tu_fixture_src(const char *name)
{
	return join(MP_FIXTURES_SRC, name);
}

int
tu_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int64_t
tu_mtime_ns(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return -1;
	return (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

size_t
tu_count_lines(const char *s)
{
	size_t n = 0;
	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* The code point of the well-formed UTF-8 sequence at *p; *p moves past it. */
static uint32_t
utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	size_t n = 0;
	if (s[0] < 0x80)
		n = 1;
	else if (s[0] >= 0xC2 && s[0] < 0xE0)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] < 0xF0)
		n = 3;
	else if (s[0] >= 0xF0 && s[0] < 0xF5)
		n = 4;
	cr_assert_neq(n, 0, "not UTF-8: byte 0x%02x", s[0]);
	uint32_t c = n == 1 ? s[0] : s[0] & (0x7Fu >> n);
	for (size_t i = 1; i < n; i++) {
		cr_assert_eq(s[i] & 0xC0, 0x80, "not UTF-8: byte 0x%02x", s[i]);
		c = c << 6 | (s[i] & 0x3Fu);
	}
	*p = s + n;
	return c;
}

uint8_t *
tu_utf16_bom(const char *utf8, size_t *len)
{
	/* At most two UTF-16 units (4 bytes) per UTF-8 byte, plus the BOM. */
	uint8_t *out = malloc(4 * strlen(utf8) + 2);
	cr_assert_not_null(out);
	size_t n = 0;
	out[n++] = 0xFF;
	out[n++] = 0xFE;
	for (const unsigned char *p = (const unsigned char *)utf8; *p != '\0';) {
		uint32_t c = utf8_next(&p);
		uint32_t units[2] = {c, 0};
		size_t k = 1;
		if (c >= 0x10000u) {
			units[0] = 0xD800u + ((c - 0x10000u) >> 10);
			units[1] = 0xDC00u + ((c - 0x10000u) & 0x3FFu);
			k = 2;
		}
		for (size_t i = 0; i < k; i++) {
			out[n++] = (uint8_t)(units[i] & 0xFFu);
			out[n++] = (uint8_t)(units[i] >> 8);
		}
	}
	*len = n;
	return out;
}

/* ---- the per-test harness ---- */

void
tu_setup(void)
{
	tu_tmp = tu_mkdtemp();
	cr_assert_not_null(tu_tmp);
	tu_ctx = mapiprof_ctx_new();
	cr_assert_not_null(tu_ctx);
	tu_file = NULL;
	memset(&tu_last, 0, sizeof(tu_last));
}

void
tu_teardown(void)
{
	mapiprof_close(tu_file);
	tu_file = NULL;
	tu_run_free(&tu_last);
	mapiprof_ctx_free(tu_ctx);
	tu_ctx = NULL;
	if (tu_tmp != NULL)
		tu_rmtree(tu_tmp);
	free(tu_tmp);
	tu_tmp = NULL;
}

char *
tu_tmp_path(const char *name)
{
	cr_assert_not_null(tu_tmp, "no temporary directory: suite without tu_setup");
	char *p = join(tu_tmp, name);
	cr_assert_not_null(p);
	return p;
}

/* strcmp of two array elements that are strings (qsort, bsearch). */
static int
strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *
tu_listing(const char *sub)
{
	char *dir = tu_tmp_path(sub);
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "cannot list %s", dir);
	char **names = NULL;
	size_t n = 0, total = 1;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		cr_assert_not_null(names);
		names[n] = strdup(e->d_name);
		cr_assert_not_null(names[n]);
		total += strlen(names[n++]) + 1;
	}
	closedir(d);
	if (n > 0) /* qsort wants a valid pointer even for no elements */
		qsort(names, n, sizeof(*names), strp_cmp);
	char *out = calloc(1, total);
	cr_assert_not_null(out);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strcat(out, "|");
		strcat(out, names[i]);
		free(names[i]);
	}
	free(names);
	free(dir);
	return out;
}

void
tu_assert_listing(const char *sub, const char *want)
{
	char *got = tu_listing(sub);
	cr_assert_str_eq(got, want, "%s holds %s, want %s", sub, got, want);
	free(got);
}

char *
tu_tmp_write(const char *name, const void *data, size_t len)
{
	char *p = tu_tmp_path(name);
	cr_assert_eq(tu_write(p, data, len), 0, "cannot write %s", p);
	return p;
}

char *
tu_stage(const char *src, const char *name)
{
	char *dst = tu_tmp_path(name);
	cr_assert_eq(tu_copy(src, dst), 0, "cannot copy %s", src);
	return dst;
}

char *
tu_stage_src(const char *rel)
{
	char *src = tu_fixture_src(rel);
	const char *base = strrchr(rel, '/');
	char *dst = tu_stage(src, base != NULL ? base + 1 : rel);
	free(src);
	return dst;
}

char *
tu_stage_built(const char *name)
{
	char *src = tu_fixture(name);
	cr_assert(tu_exists(src), "fixture %s was not built", src);
	char *dst = tu_stage(src, name);
	free(src);
	return dst;
}

char *
tu_read_src(const char *rel, size_t *len)
{
	char *p = tu_fixture_src(rel);
	char *data = tu_read(p, len);
	cr_assert_not_null(data, "cannot read %s", p);
	free(p);
	return data;
}

void
tu_assert_file_is(const char *path, const void *want, size_t len)
{
	size_t n = 0;
	char *got = tu_read(path, &n);
	cr_assert_not_null(got, "cannot read %s", path);
	cr_assert_eq(n, len, "%s: %zu bytes, want %zu", path, n, len);
	cr_assert_eq(memcmp(got, want, len), 0, "%s: the bytes differ", path);
	free(got);
}

void
tu_assert_same_file(const char *path, const char *ref)
{
	size_t n = 0;
	char *want = tu_read(ref, &n);
	cr_assert_not_null(want, "cannot read %s", ref);
	tu_assert_file_is(path, want, n);
	free(want);
}

struct tu_snap
tu_snap_take(const char *path)
{
	struct tu_snap s = {NULL, 0, tu_mtime_ns(path)};
	s.data = tu_read(path, &s.len);
	cr_assert_not_null(s.data, "cannot read %s", path);
	return s;
}

void
tu_snap_assert_same(struct tu_snap *s, const char *path)
{
	tu_assert_file_is(path, s->data, s->len);
	cr_assert_eq(tu_mtime_ns(path), s->mtime, "%s: modification time changed", path);
	free(s->data);
	s->data = NULL;
}

char *
tu_unxz_sample(const char *rel, const char *name)
{
	char src[1024];
	snprintf(src, sizeof(src), "%s/real/%s.xz", MP_FIXTURES_SRC, rel);
	cr_assert(tu_exists(src), "%s is absent from the source tree", src);
	cr_assert(tu_exists("/usr/bin/xz"), "/usr/bin/xz is needed to decompress %s", src);
	char *argv[] = {(char *)"/usr/bin/xz", (char *)"-dc", src, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "xz -dc %s: %s", src, r.err);
	char *p = tu_tmp_write(name, r.out, r.outlen);
	tu_run_free(&r);
	return p;
}

char *
tu_stage_sample(const char *dir, const char *name)
{
	char src[1024];
	snprintf(src, sizeof(src), "%s/samples/%s/%s", MP_SHARED_DIR, dir, name);
	if (!tu_exists(src))
		cr_skip_test(TU_OPTIONAL_SAMPLE_SKIP, src);
	return tu_stage(src, name);
}

/* tu_stage_sample of dir/<name><suffix>; *path receives the copy's path
 * when path is not NULL, else it is freed. */
static void
stage_sample_to(const char *dir, const char *name, const char *suffix, char **path)
{
	char n[512];
	snprintf(n, sizeof(n), "%s%s", name, suffix);
	char *p = tu_stage_sample(dir, n);
	if (path != NULL)
		*path = p;
	else
		free(p);
}

char *
tu_stage_sample_logs(const char *dir, const char *name, char **log1, char **log2)
{
	char *hive = NULL;
	stage_sample_to(dir, name, "", &hive);
	stage_sample_to(dir, name, ".LOG1", log1);
	stage_sample_to(dir, name, ".LOG2", log2);
	return hive;
}

/* The output of `get [--no-logs] --section SECTION PROP FILE` (asserted to
 * exit 0) without its final newline, malloc'd. */
static char *
get_value(int no_logs, const char *section, const char *prop, const char *file)
{
	struct tu_run r;
	if (no_logs)
		cr_assert_eq(
		    tu_cli(&r, "get", "--no-logs", "--section", section, prop, file, (char *)NULL),
		    0, "cannot run mapiprof");
	else
		cr_assert_eq(tu_cli(&r, "get", "--section", section, prop, file, (char *)NULL), 0,
		             "cannot run mapiprof");
	cr_assert_eq(r.status, 0, "get %s %s %s: %s", section, prop, file, r.err);
	char *v = strdup(r.out);
	cr_assert_not_null(v);
	size_t n = strlen(v);
	if (n > 0 && v[n - 1] == '\n')
		v[n - 1] = '\0';
	tu_run_free(&r);
	return v;
}

static void
assert_get(int no_logs, const char *section, const char *prop, const char *file, const char *want)
{
	char *v = get_value(no_logs, section, prop, file);
	cr_assert_str_eq(v, want, "%s %s%s: got '%s', want '%s'", section, prop,
	                 no_logs ? " (--no-logs)" : "", v, want);
	free(v);
}

void
tu_assert_get(const char *section, const char *prop, const char *file, const char *want)
{
	assert_get(0, section, prop, file, want);
}

void
tu_assert_get_no_logs(const char *section, const char *prop, const char *file, const char *want)
{
	assert_get(1, section, prop, file, want);
}

void
tu_open(const char *path)
{
	mapiprof_close(tu_file);
	tu_file = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, path, 0, &tu_file), MAPIPROF_OK, "open %s: %s", path,
	             mapiprof_errmsg(tu_ctx));
}

void
tu_open_src(const char *rel)
{
	char *path = tu_stage_src(rel);
	tu_open(path);
	free(path);
}

void
tu_open_built(const char *name)
{
	char *path = tu_stage_built(name);
	tu_open(path);
	free(path);
}

size_t
tu_open_outlook(const char *rel)
{
	tu_open_src(rel);
	return tu_profile("Outlook");
}

size_t
tu_open_reg(const char *text, const char *profile)
{
	char *reg = tu_tmp_write("reg.reg", text, strlen(text));
	char *dat = tu_tmp_path("reg.dat");
	char *argv[] = {(char *)MP_MKHIVE, reg, dat, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0, "cannot run mkhive");
	cr_assert_eq(r.status, 0, "mkhive %s: %s", reg, r.err);
	tu_run_free(&r);
	tu_open(dat);
	free(reg);
	free(dat);
	return tu_profile(profile);
}

size_t
tu_profile(const char *name)
{
	size_t p = SIZE_MAX;
	cr_assert_eq(mapiprof_profile_find(tu_file, name, &p), MAPIPROF_OK, "profile %s: %s",
	             name != NULL ? name : "(default)", mapiprof_errmsg(tu_ctx));
	return p;
}

size_t
tu_section(size_t p, const char *uid)
{
	size_t n = mapiprof_section_count(tu_file, p);
	for (size_t i = 0; i < n; i++)
		if (strcmp(mapiprof_section_at(tu_file, p, i)->uid, uid) == 0)
			return i;
	cr_assert_fail("no section %s", uid);
	return SIZE_MAX;
}

const struct mapiprof_prop *
tu_prop(size_t p, size_t s, const char *spec)
{
	const struct mapiprof_prop *pr = NULL;
	const struct mapiprof_section *sec = mapiprof_section_at(tu_file, p, s);
	cr_assert_eq(mapiprof_prop_find(tu_file, p, s, spec, &pr), MAPIPROF_OK, "%s %s: %s",
	             sec != NULL ? sec->uid : "?", spec, mapiprof_errmsg(tu_ctx));
	cr_assert_not_null(pr);
	return pr;
}

static void
free_params(struct criterion_test_params *p)
{
	cr_free(p->params);
}

struct criterion_test_params
tu_index_params(size_t n)
{
	size_t *idx = cr_malloc(n * sizeof(*idx));
	cr_assert_not_null(idx);
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, n, free_params);
}

/* ---- before/after dumps ---------------------------------------------- */

/* The record array grows geometrically: one slot at a time made a dump
 * of a 20,000-value hive copy gigabytes under AddressSanitizer, whose
 * realloc always moves. */
static void
dump_add(struct tu_dump *d, const char *s, size_t len)
{
	if (d->n == d->cap) {
		d->cap = d->cap != 0 ? d->cap * 2 : 1024;
		d->rec = realloc(d->rec, d->cap * sizeof(*d->rec));
		cr_assert_not_null(d->rec);
	}
	d->rec[d->n] = malloc(len + 1);
	cr_assert_not_null(d->rec[d->n]);
	memcpy(d->rec[d->n], s, len);
	d->rec[d->n++][len] = '\0';
}

char *
tu_tool_out(const char *tool, const char *hive)
{
	char *argv[] = {(char *)tool, (char *)hive, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0, "cannot run %s", tool);
	cr_assert_eq(r.status, 0, "%s %s: %s", tool, hive, r.err);
	char *out = r.out;
	r.out = NULL;
	tu_run_free(&r);
	return out;
}

void
tu_dump_reglookup(const char *hive, struct tu_dump *d)
{
	memset(d, 0, sizeof(*d));
	char *out = tu_tool_out("/usr/bin/reglookup", hive);
	for (char *p = out, *nl; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		cr_assert_not_null(nl);
		if (p != out) /* the header row */
			dump_add(d, p, (size_t)(nl - p));
	}
	free(out);
	qsort(d->rec, d->n, sizeof(*d->rec), strp_cmp);
}

void
tu_dump_regfexport(const char *hive, struct tu_dump *d)
{
	memset(d, 0, sizeof(*d));
	char *out = tu_tool_out("/usr/bin/regfexport", hive);
	char key[4096] = "", rec[65536] = "";
	for (char *p = out, *nl; p != NULL && *p != '\0'; p = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		int is_key = strncmp(p, "Key path: ", 10) == 0,
		    is_val = strncmp(p, "Value: ", 7) == 0;
		if ((is_key || is_val) && rec[0] != '\0')
			dump_add(d, rec, strlen(rec));
		if (is_key) {
			snprintf(key, sizeof(key), "%.*s", (int)(len - 10), p + 10);
			snprintf(rec, sizeof(rec), "K|%s", key);
		} else if (is_val) {
			const char *q = p + 7 + strspn(p + 7, "0123456789");
			q += *q == ' ';
			snprintf(rec, sizeof(rec), "V|%s|%.*s", key, (int)(len - (size_t)(q - p)),
			         q);
		} else if (len > 0 && rec[0] != '\0') {
			size_t at = strlen(rec);
			snprintf(rec + at, sizeof(rec) - at, "\n%.*s", (int)len, p);
		}
	}
	if (rec[0] != '\0')
		dump_add(d, rec, strlen(rec));
	free(out);
	qsort(d->rec, d->n, sizeof(*d->rec), strp_cmp);
}

int
tu_dump_has(const struct tu_dump *d, const char *r)
{
	return bsearch(&r, d->rec, d->n, sizeof(*d->rec), strp_cmp) != NULL;
}

void
tu_dump_assert_same(const struct tu_dump *a, const struct tu_dump *b)
{
	cr_assert_eq(a->n, b->n, "%zu records vs %zu", a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		cr_assert_str_eq(a->rec[i], b->rec[i]);
}

void
tu_assert_same_reglookup(const char *a, const char *b)
{
	struct tu_dump da, db;
	tu_dump_reglookup(a, &da);
	tu_dump_reglookup(b, &db);
	cr_assert_gt(da.n, 0, "reglookup reads nothing in %s", a);
	cr_assert_eq(da.n, db.n, "%s: %zu records, %s: %zu", a, da.n, b, db.n);
	tu_dump_assert_same(&da, &db);
	tu_dump_free(&da);
	tu_dump_free(&db);
}

void
tu_dump_free(struct tu_dump *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->rec[i]);
	free(d->rec);
	memset(d, 0, sizeof(*d));
}

uint32_t
tu_regf_checksum(const uint8_t *b)
{
	uint32_t x = 0;
	for (size_t i = 0; i < 508; i += 4)
		x ^= (uint32_t)b[i] | (uint32_t)b[i + 1] << 8 | (uint32_t)b[i + 2] << 16 |
		     (uint32_t)b[i + 3] << 24;
	return x;
}

void
tu_regf_reseal(uint8_t *b)
{
	uint32_t x = tu_regf_checksum(b);
	for (int i = 0; i < 4; i++)
		b[508 + i] = (uint8_t)(x >> (8 * i));
}

void
tu_hive_set_minor(const char *path, unsigned minor)
{
	size_t len = 0;
	uint8_t *b = (uint8_t *)tu_read(path, &len);
	cr_assert(b != NULL && len >= 512, "%s is no hive", path);
	b[0x18] = (uint8_t)minor;
	tu_regf_reseal(b);
	cr_assert_eq(tu_write(path, b, len), 0);
	free(b);
}

char *
tu_make_big(unsigned size_mib)
{
	char *path = tu_tmp_path("big.dat");
	char size[16];
	snprintf(size, sizeof(size), "%u", size_mib);
	char *const argv[] = {(char *)MP_PYTHON, (char *)MP_SOURCE_DIR "/bench/mkbig.py", size,
	                      path, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "mkbig.py: %s", r.err);
	tu_run_free(&r);
	return path;
}
