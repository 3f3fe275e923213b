/* cli_server.c - runs mapiprof's command line for the tests without
 * executing the program for every command.
 *
 * A short command spends most of its time starting: loading its libraries
 * (wimlib brings libxml2, ICU, ntfs-3g and libstdc++) and, in a sanitizer
 * build, mapping the shadow memory.  The CLI tests run thousands of short
 * commands, so the test
 * runner (testutil.c) starts this server once per test program; it starts
 * like the program would, then forks one process per command, which runs
 * cli_main() - the same code as mapiprof's main - and, in a sanitizer
 * build, LeakSanitizer's check, so leaks are still found in every command.
 * The tests that must see the program itself (a preloaded hook, limits set
 * by a shell, signals) execute it; MP_TEST_EXEC=1 executes every command.
 *
 * Usage (by testutil.c only): cli_server, with the listening Unix socket
 * as descriptor 3 and, as descriptor 4, the read end of a pipe whose end
 * of file (the test runner has exited) stops the server.
 *
 * A request, on a connection: one message carrying three descriptors
 * (standard input, output and error of the command) and a struct
 * cs_request, then cs_request.len bytes of NUL-terminated strings: the
 * working directory, the argc arguments, the envc environment entries.
 * The reply: the command's wait status, as an int, once it has ended; a
 * request the server cannot take gets the connection closed instead. */
#define _DEFAULT_SOURCE /* NSIG */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

#include "cli.h"
#include "cli_server.h"

extern char **environ;

static int
read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The header and the three descriptors of a request. */
static int
receive_header(int conn, struct cs_request *req, int fds[3])
{
	char control[CMSG_SPACE(3 * sizeof(int))];
	struct iovec iov = {req, sizeof(*req)};
	struct msghdr msg = {0};
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control;
	msg.msg_controllen = sizeof(control);
	ssize_t n;
	do
		n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(3 * sizeof(int)))
		return -1;
	memcpy(fds, CMSG_DATA(c), 3 * sizeof(int));
	if (n < 0 || (size_t)n > sizeof(*req))
		return -1;
	/* The rest of the header, if the stream split it. */
	return read_full(conn, (char *)req + n, sizeof(*req) - (size_t)n);
}

/* Splits the strings of a request into the working directory, argv and
 * the environment, all pointing into buf. */
static char **
split(char *buf, uint32_t len, const struct cs_request *req, const char **cwd)
{
	if (req->argc < 1 || req->argc > CS_MAX_STRINGS || req->envc > CS_MAX_STRINGS)
		return NULL;
	size_t n = 1u + req->argc + req->envc;
	char **v = calloc(n + 2, sizeof(*v)); /* argv NULL, environ NULL */
	if (v == NULL)
		return NULL;
	size_t k = 0;
	char *p = buf, *end = buf + len;
	while (k < n && p < end) {
		char *z = memchr(p, '\0', (size_t)(end - p));
		if (z == NULL)
			break;
		size_t slot = k == 0 ? 0 : k <= req->argc ? k - 1 : k;
		if (k == 0)
			*cwd = p;
		else
			v[slot] = p;
		p = z + 1;
		k++;
	}
	if (k != n) {
		free(v);
		return NULL;
	}
	return v; /* v[0..argc-1], NULL, env..., NULL */
}

/* Commands running, each with the connection its status goes back on. */
#define CS_MAX_RUNNING 64
static struct running {
	pid_t pid;
	int conn;
} running[CS_MAX_RUNNING];
static size_t nrunning;

/* LeakSanitizer's checks, in a sanitizer build only. */
extern void __lsan_do_leak_check(void) __attribute__((weak));
extern int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

/* In the command's process: its streams, directory, mask and environment
 * as the test has them, signals as a new program finds them, then the
 * command line; never returns. */
static void
run_command(const int fds[3], const struct cs_request *req, const char *cwd, char **v)
{
	for (int i = 0; i < 3; i++)
		if (dup2(fds[i], i) < 0)
			_exit(127);
	for (int i = 0; i < 3; i++)
		if (fds[i] > 2)
			close(fds[i]);
	close(CS_LISTEN_FD);
	close(CS_LIFELINE_FD);
	for (size_t i = 0; i < nrunning; i++)
		close(running[i].conn);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (chdir(cwd) != 0)
		_exit(127);
	umask((mode_t)req->umask);
	environ = v + req->argc + 1;
	int status = cli_main((int)req->argc, v);
	/* What exit() would do that matters here - the streams flushed, the
	 * leak check (which exits 23 on a leak) - without unregistering every
	 * instrumented global, which costs more than the command. */
	fflush(NULL);
	if (__lsan_do_leak_check != NULL)
		__lsan_do_leak_check();
	_exit(status);
}

/* Reads one request from conn and starts its command; returns its
 * process, or -1 (conn is then closed: the client reports the command as
 * one that could not run, exit 127). */
static pid_t
start(int conn)
{
	struct cs_request req;
	int fds[3] = {-1, -1, -1};
	char *buf = NULL;
	char **v = NULL;
	const char *cwd = NULL;
	pid_t pid = -1;
	if (receive_header(conn, &req, fds) != 0 || req.len > CS_MAX_LEN)
		goto out;
	buf = malloc((size_t)req.len + 1u);
	if (buf == NULL || read_full(conn, buf, req.len) != 0)
		goto out;
	buf[req.len] = '\0';
	v = split(buf, req.len, &req, &cwd);
	if (v == NULL)
		goto out;
	pid = fork();
	if (pid == 0)
		run_command(fds, &req, cwd, v);
out:
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(v);
	free(buf);
	return pid;
}

/* Sends the status of every command that has ended. */
static void
reap(int flags)
{
	int status;
	pid_t pid;
	while (nrunning > 0 && (pid = waitpid(-1, &status, flags)) > 0) {
		for (size_t i = 0; i < nrunning; i++) {
			if (running[i].pid != pid)
				continue;
			ssize_t w;
			do
				w = write(running[i].conn, &status, sizeof(status));
			while (w < 0 && errno == EINTR);
			close(running[i].conn);
			running[i] = running[--nrunning];
			break;
		}
		flags |= WNOHANG;
	}
}

static int sigchld_pipe[2];

static void
on_sigchld(int sig)
{
	(void)sig;
	int saved = errno;
	ssize_t w = write(sigchld_pipe[1], "", 1); /* full: a wake-up is pending */
	(void)w;
	errno = saved;
}

int
main(void)
{
	if (pipe(sigchld_pipe) != 0)
		return 1;
	for (int i = 0; i < 2; i++) {
		fcntl(sigchld_pipe[i], F_SETFD, FD_CLOEXEC);
		fcntl(sigchld_pipe[i], F_SETFL, O_NONBLOCK);
	}
	struct sigaction sa = {0};
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a client that has gone */
	/* One check here maps the memory every command's check reads (the
	 * sanitizer runtimes' data, megabytes never written): the commands'
	 * processes inherit the mappings instead of faulting each page in. */
	if (__lsan_do_recoverable_leak_check != NULL)
		__lsan_do_recoverable_leak_check();
	struct pollfd p[3] = {
	    {CS_LISTEN_FD, POLLIN, 0}, {CS_LIFELINE_FD, POLLIN, 0}, {sigchld_pipe[0], POLLIN, 0}};
	for (;;) {
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p[1].revents != 0)
			break; /* the test runner has gone */
		if (p[2].revents != 0) {
			char drain[64];
			while (read(sigchld_pipe[0], drain, sizeof(drain)) > 0)
				;
			reap(WNOHANG);
		}
		if ((p[0].revents & POLLIN) == 0)
			continue;
		int conn = accept(CS_LISTEN_FD, NULL, NULL);
		if (conn < 0)
			continue;
		if (nrunning == CS_MAX_RUNNING)
			reap(0); /* wait for a slot */
		pid_t pid = start(conn);
		if (pid < 0) {
			close(conn);
			continue;
		}
		running[nrunning].pid = pid;
		running[nrunning].conn = conn;
		nrunning++;
	}
	return 0;
}
