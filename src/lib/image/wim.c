/* wim.c - a Windows image inside a WIM archive, read and updated through
 * wimlib (wimlib.h, loaded by the first mapiprof_wim_open: wimlib_load.h): its user hives found as
 * on a directory tree (tree.c, names.h), each hive streamed out with its transaction logs into a
 * private working directory, and the changed hives put back in one update and one commit.
 *
 * The commit rebuilds the archive into a temporary file beside it, synced
 * and renamed over it (wimlib_overwrite with WIMLIB_WRITE_FLAG_REBUILD |
 * WIMLIB_WRITE_FLAG_FSYNC), so that a process killed at any point leaves
 * the old archive or the new one.  The default, an append in place, marks
 * the archive as being written and rewrites its header last: killed in
 * between, the archive is neither (wimlib.h, wimlib_overwrite). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/limits.h"
#include "base/platform.h"
#include "image/names.h"
#include "image/wimlib_load.h"
#include "store/store.h"
#include "write/install.h"

/* The folders that hold one folder per user profile, and each user's hive
 * (Microsoft Learn, "User Profiles"); the logs that travel with a hive
 * (regf spec, "Dirty state of a hive"). */
static const char *const profile_roots[] = {"Users", "Documents and Settings"};
#define USER_HIVE "NTUSER.DAT"
static const char *const log_suffixes[] = {".LOG", ".LOG1", ".LOG2"};
#define NLOGS (sizeof(log_suffixes) / sizeof(*log_suffixes))
/* Entries read from one directory of the image at most, and images named
 * in a message. */
#define MAX_ENTRIES  100000u
#define MAX_NAMED    16
#define ROOT_FOLDERS (sizeof(profile_roots) / sizeof(*profile_roots))

struct mapiprof_wim {
	const struct mp_wimlib *lib; /* wimlib, loaded (image/wimlib_load.h) */
	WIMStruct *wim;
	int image;     /* 1-based */
	char *file;    /* the archive on disk */
	char *spec;    /* as given, for messages */
	char *workdir; /* private directory of the extracted hives, or NULL */
	unsigned nextract;
	int spent;   /* committed: wimlib allows nothing more on wim */
	int lock_fd; /* MAPIPROF_WIM_WRITE: the writer lock on file (mp_lock_path), or -1 */
};

/* An error from wimlib about the archive. */
static int
wim_err(struct mapiprof_ctx *ctx, const struct mapiprof_wim *w, enum mapiprof_error e, int code,
        const char *what)
{
	mp_seterr(ctx, e, "%s: %s", what, w->lib->get_error_string((enum wimlib_error_code)code));
	mp_seterr_file(ctx, w->spec);
	return MAPIPROF_FAILED;
}

/* spec is FILE, or FILE:SELECTOR when FILE exists and spec does not. */
static int
split_spec(struct mapiprof_ctx *ctx, const char *spec, char **file, char **sel)
{
	struct mp_file_attr a;
	int exists = 0;
	*file = *sel = NULL;
	if (mp_path_attr(NULL, spec, &a, &exists) == MAPIPROF_OK && exists) {
		if ((*file = strdup(spec)) == NULL)
			return mp_nomem(ctx);
		return MAPIPROF_OK;
	}
	const char *colon = strrchr(spec, ':');
	if (colon != NULL && colon != spec && colon[1] != '\0') {
		char *f = strndup(spec, (size_t)(colon - spec));
		if (f == NULL)
			return mp_nomem(ctx);
		if (mp_path_attr(NULL, f, &a, &exists) == MAPIPROF_OK && exists) {
			*file = f;
			if ((*sel = strdup(colon + 1)) == NULL)
				return mp_nomem(ctx);
			return MAPIPROF_OK;
		}
		free(f);
	}
	mp_seterr(ctx, MAPIPROF_E_NOENT,
	          "no such file: not a directory holding a Windows volume, nor a WIM file");
	mp_seterr_file(ctx, spec);
	return MAPIPROF_FAILED;
}

/* "1 "Base", 2 "Golden"": the images of the archive, for messages. */
static void
image_names(const struct mapiprof_wim *w, int count, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 1; i <= count && i <= MAX_NAMED && len < size; i++) {
		const char *name = w->lib->get_image_name(w->wim, i);
		int k = snprintf(buf + len, size - len, "%s%d \"%s\"", i > 1 ? ", " : "", i,
		                 name != NULL ? name : "");
		if (k < 0)
			break;
		len += (size_t)k;
	}
	if (count > MAX_NAMED && len < size)
		snprintf(buf + len, size - len, ", ...");
}

/* The image spec selects, or the only one. */
static int
pick_image(struct mapiprof_ctx *ctx, struct mapiprof_wim *w, const char *sel, int count)
{
	char names[400];
	image_names(w, count, names, sizeof(names));
	if (count < 1) {
		mp_seterr(ctx, MAPIPROF_E_FORMAT, "the WIM file holds no image");
	} else if (sel == NULL && count == 1) {
		w->image = 1;
		return MAPIPROF_OK;
	} else if (sel == NULL) {
		mp_seterr(ctx, MAPIPROF_E_SELECTOR,
		          "the WIM file holds %d images (%s): choose one with %s:N or %s:NAME",
		          count, names, w->file, w->file);
	} else {
		int i = w->lib->resolve_image(w->wim, sel);
		if (i >= 1 && i <= count) {
			w->image = i;
			return MAPIPROF_OK;
		}
		mp_seterr(ctx, MAPIPROF_E_NOENT, "no image '%s' in the WIM file (it holds %s)", sel,
		          names);
	}
	mp_seterr_file(ctx, w->spec);
	return MAPIPROF_FAILED;
}

/* A split archive (.swm parts) is read with its other parts, found beside
 * the first as wimlib-imagex finds them: FILE minus ".swm", then "*.swm". */
static int
reference_parts(struct mapiprof_ctx *ctx, struct mapiprof_wim *w)
{
	size_t len = strlen(w->file);
	if (len < 4 || strcmp(w->file + len - 4, ".swm") != 0) {
		mp_seterr(ctx, MAPIPROF_E_FORMAT,
		          "a part of a split WIM not named *.swm: its other parts cannot be found");
		mp_seterr_file(ctx, w->spec);
		return MAPIPROF_FAILED;
	}
	char *glob = malloc(len + 2);
	if (glob == NULL)
		return mp_nomem(ctx);
	snprintf(glob, len + 2, "%.*s*.swm", (int)(len - 4), w->file);
	const wimlib_tchar *globs[] = {glob};
	int code = w->lib->reference_resource_files(
	    w->wim, globs, 1, WIMLIB_REF_FLAG_GLOB_ENABLE | WIMLIB_REF_FLAG_GLOB_ERR_ON_NOMATCH, 0);
	free(glob);
	return code == 0 ? MAPIPROF_OK
	                 : wim_err(ctx, w, MAPIPROF_E_FORMAT, code, "the parts of the split WIM");
}

/* Opens the archive, refusing what wimlib cannot update when writing. */
static int
open_archive(struct mapiprof_ctx *ctx, struct mapiprof_wim *w, unsigned flags, const char *sel)
{
	int code = w->lib->open_wim(w->file, 0, &w->wim);
	if (code == WIMLIB_ERR_NOT_A_WIM_FILE || code == WIMLIB_ERR_IMAGE_COUNT ||
	    code == WIMLIB_ERR_READ || code == WIMLIB_ERR_UNEXPECTED_END_OF_FILE) {
		mp_seterr(ctx, MAPIPROF_E_FORMAT,
		          "not a WIM file, nor a directory holding a Windows volume");
		mp_seterr_file(ctx, w->spec);
		return MAPIPROF_FAILED;
	}
	if (code == WIMLIB_ERR_OPEN) {
		mp_seterr_errno(ctx, errno, "cannot open the WIM file: %s", strerror(errno));
		mp_seterr_file(ctx, w->spec);
		return MAPIPROF_FAILED;
	}
	if (code != 0)
		return wim_err(ctx, w, MAPIPROF_E_FORMAT, code, "not a WIM file wimlib can read");
	struct wimlib_wim_info info;
	if ((code = w->lib->get_wim_info(w->wim, &info)) != 0)
		return wim_err(ctx, w, MAPIPROF_E_FORMAT, code, "the WIM header");
	if ((flags & MAPIPROF_WIM_WRITE) && info.total_parts > 1) {
		mp_seterr(ctx, MAPIPROF_E_INVALID,
		          "part %u of a split WIM of %u parts: wimlib cannot update a split WIM "
		          "(join it with wimjoin first)",
		          (unsigned)info.part_number, (unsigned)info.total_parts);
		mp_seterr_file(ctx, w->spec);
		return MAPIPROF_FAILED;
	}
	if ((flags & MAPIPROF_WIM_WRITE) &&
	    (info.is_marked_readonly || access(w->file, W_OK) != 0)) {
		int err = errno;
		mp_seterr_errno(ctx, info.is_marked_readonly ? 0 : err,
		                "wimlib cannot update this WIM file: %s",
		                info.is_marked_readonly ? "its header marks it read-only"
		                                        : strerror(err));
		mp_seterr_file(ctx, w->spec);
		return MAPIPROF_FAILED;
	}
	if (info.total_parts > 1 && reference_parts(ctx, w) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return pick_image(ctx, w, sel, (int)info.image_count);
}

int
mapiprof_wim_open(struct mapiprof_ctx *ctx, const char *spec, unsigned flags,
                  struct mapiprof_wim **out)
{
	char *sel = NULL;
	if (ctx == NULL || spec == NULL || out == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "mapiprof_wim_open: NULL argument");
		return MAPIPROF_FAILED;
	}
	*out = NULL;
	struct mapiprof_wim *w = calloc(1, sizeof(*w));
	if (w == NULL || (w->spec = strdup(spec)) == NULL) {
		free(w);
		return mp_nomem(ctx);
	}
	w->lock_fd = -1;
	int rc = split_spec(ctx, spec, &w->file, &sel);
	if (rc == MAPIPROF_OK && (w->lib = mp_wimlib(ctx)) == NULL) {
		mp_seterr_file(ctx, w->spec);
		rc = MAPIPROF_FAILED;
	}
	/* A writer holds the archive's lock from before it is read to after
	 * the new one is in place, as a hive's writer does: the rebuild writes
	 * a whole new archive from what was read, so two writers at once would
	 * lose one's changes (wimlib locks only its in-place append). */
	if (rc == MAPIPROF_OK && (flags & MAPIPROF_WIM_WRITE) != 0 &&
	    mp_lock_path(ctx, w->file, mp_lock_wait_ms(ctx), &w->lock_fd) != MAPIPROF_OK) {
		mp_seterr_file(ctx, w->spec);
		rc = MAPIPROF_FAILED;
	}
	if (rc == MAPIPROF_OK)
		rc = open_archive(ctx, w, flags, sel);
	free(sel);
	if (rc != MAPIPROF_OK) {
		mapiprof_wim_close(w);
		return MAPIPROF_FAILED;
	}
	*out = w;
	return MAPIPROF_OK;
}

/* One directory of the image: its entries' names and kinds. */
struct listing {
	char **names;
	uint32_t *attrs;
	uint64_t *sizes; /* of the unnamed data stream */
	size_t n, cap;
	int nomem;
};

static void
listing_free(struct listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	free(l->attrs);
	free(l->sizes);
	*l = (struct listing){0};
}

static int
list_entry(const struct wimlib_dir_entry *d, void *arg)
{
	struct listing *l = arg;
	if (l->n == MAX_ENTRIES)
		return 0;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		char **nn = realloc(l->names, ncap * sizeof(*nn));
		if (nn != NULL)
			l->names = nn;
		uint32_t *na = realloc(l->attrs, ncap * sizeof(*na));
		if (na != NULL)
			l->attrs = na;
		uint64_t *ns = realloc(l->sizes, ncap * sizeof(*ns));
		if (ns != NULL)
			l->sizes = ns;
		if (nn == NULL || na == NULL || ns == NULL) {
			l->nomem = 1;
			return 1;
		}
		l->cap = ncap;
	}
	if ((l->names[l->n] = strdup(d->filename)) == NULL) {
		l->nomem = 1;
		return 1;
	}
	l->attrs[l->n] = d->attributes;
	/* streams[0] is the unnamed data stream of a file (wimlib.h,
	 * struct wimlib_dir_entry). */
	l->sizes[l->n] = d->streams[0].resource.uncompressed_size;
	l->n++;
	return 0;
}

/* Lists dir ("/"-separated, "" the root); a dir that is not there or not a
 * directory lists nothing. */
static int
list_dir(struct mapiprof_ctx *ctx, const struct mapiprof_wim *w, const char *dir, struct listing *l)
{
	*l = (struct listing){0};
	int code = w->lib->iterate_dir_tree(w->wim, w->image, dir[0] != '\0' ? dir : "/",
	                                    WIMLIB_ITERATE_DIR_TREE_FLAG_CHILDREN, list_entry, l);
	if (l->nomem) {
		listing_free(l);
		return mp_nomem(ctx);
	}
	if (code == 0 || code == WIMLIB_ERR_PATH_DOES_NOT_EXIST || code == WIMLIB_ERR_NOTDIR)
		return MAPIPROF_OK;
	listing_free(l);
	return wim_err(ctx, w, MAPIPROF_E_FORMAT, code, "reading the image");
}

/* Kinds of entries: a link (reparse point: a junction or symbolic link) is
 * neither, and never followed. */
static int
is_dir(uint32_t a)
{
	return (a & WIMLIB_FILE_ATTRIBUTE_DIRECTORY) && !(a & WIMLIB_FILE_ATTRIBUTE_REPARSE_POINT);
}

static int
is_file(uint32_t a)
{
	return !(a & (WIMLIB_FILE_ATTRIBUTE_DIRECTORY | WIMLIB_FILE_ATTRIBUTE_REPARSE_POINT));
}

/* dir + "/" + name, malloc'd. */
static char *
join(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *p = malloc(len);
	if (p != NULL)
		snprintf(p, len, "%s/%s", dir, name);
	return p;
}

static int
push(struct mapiprof_ctx *ctx, char ***v, size_t *n, size_t *cap, char *s)
{
	if (s == NULL)
		return mp_nomem(ctx);
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		char **p = realloc(*v, ncap * sizeof(*p));
		if (p == NULL) {
			free(s);
			return mp_nomem(ctx);
		}
		*v = p;
		*cap = ncap;
	}
	(*v)[(*n)++] = s;
	return MAPIPROF_OK;
}

/* The first entry of l naming name as Windows would that is a regular
 * file, or -1. */
static long
find_file(const struct listing *l, const char *name)
{
	size_t idx[MP_IMAGE_MAX_CANDIDATES];
	size_t m = mp_image_matches(l->names, l->n, name, idx);
	for (size_t j = 0; j < m; j++)
		if (is_file(l->attrs[idx[j]]))
			return (long)idx[j];
	return -1;
}

/* Appends the user hives below profile root folder proot to *v. */
static int
add_hives(struct mapiprof_ctx *ctx, const struct mapiprof_wim *w, const char *proot, char ***v,
          size_t *n, size_t *cap)
{
	struct listing users;
	if (list_dir(ctx, w, proot, &users) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_OK;
	for (size_t i = 0; rc == MAPIPROF_OK && i < users.n; i++) {
		if (!is_dir(users.attrs[i]))
			continue;
		char *udir = join(proot, users.names[i]);
		struct listing files = {0};
		if (udir == NULL)
			rc = mp_nomem(ctx);
		else
			rc = list_dir(ctx, w, udir, &files);
		long k = rc == MAPIPROF_OK ? find_file(&files, USER_HIVE) : -1;
		if (k >= 0)
			rc = push(ctx, v, n, cap, join(udir, files.names[k]));
		listing_free(&files);
		free(udir);
	}
	listing_free(&users);
	return rc;
}

static int
cmp_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
mapiprof_wim_hives(struct mapiprof_ctx *ctx, const struct mapiprof_wim *w, char ***paths, size_t *n)
{
	size_t cap = 0;
	struct listing root;
	if (ctx == NULL || w == NULL || paths == NULL || n == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "mapiprof_wim_hives: NULL argument");
		return MAPIPROF_FAILED;
	}
	*paths = NULL;
	*n = 0;
	if (list_dir(ctx, w, "", &root) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_OK;
	for (size_t i = 0; rc == MAPIPROF_OK && i < root.n; i++) {
		int wanted = 0;
		for (size_t j = 0; j < ROOT_FOLDERS; j++)
			wanted |= mp_name_casecmp(root.names[i], profile_roots[j]) == 0;
		if (!wanted || !is_dir(root.attrs[i]))
			continue;
		char *proot = join("", root.names[i]);
		rc = proot != NULL ? add_hives(ctx, w, proot, paths, n, &cap) : mp_nomem(ctx);
		free(proot);
	}
	listing_free(&root);
	if (rc != MAPIPROF_OK) {
		mp_seterr_file(ctx, w->spec);
		mapiprof_free_strings(*paths, *n);
		*paths = NULL;
		*n = 0;
		return MAPIPROF_FAILED;
	}
	if (*n > 1)
		qsort(*paths, *n, sizeof(**paths), cmp_paths);
	return MAPIPROF_OK;
}

/* Finds comp[i..n) below dir as tree.c's walk does: the exact name, then
 * its case variants; a file at the end, directories on the way, no link. */
static int
walk(struct mapiprof_ctx *ctx, const struct mapiprof_wim *w, const char *dir, char **comp, size_t i,
     size_t n, char **out, int *link)
{
	struct listing l;
	size_t idx[MP_IMAGE_MAX_CANDIDATES];
	*out = NULL;
	if (list_dir(ctx, w, dir, &l) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	size_t m = mp_image_matches(l.names, l.n, comp[i], idx);
	int rc = MAPIPROF_OK;
	for (size_t j = 0; j < m && *out == NULL && rc == MAPIPROF_OK; j++) {
		uint32_t a = l.attrs[idx[j]];
		char *p = join(dir, l.names[idx[j]]);
		if (p == NULL)
			rc = mp_nomem(ctx);
		else if (!is_dir(a) && !is_file(a))
			*link = 1;
		else if (i + 1 == n && is_file(a)) {
			*out = p;
			p = NULL;
		} else if (i + 1 < n && is_dir(a))
			rc = walk(ctx, w, p, comp, i + 1, n, out, link);
		free(p);
	}
	listing_free(&l);
	return rc;
}

int
mapiprof_wim_resolve(struct mapiprof_ctx *ctx, const struct mapiprof_wim *w, const char *path,
                     char **out)
{
	char *comp[MP_IMAGE_MAX_COMPONENTS];
	size_t n = 0;
	int link = 0;
	if (ctx == NULL || w == NULL || path == NULL || out == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "mapiprof_wim_resolve: NULL argument");
		return MAPIPROF_FAILED;
	}
	*out = NULL;
	int rc = mp_image_components(ctx, path, comp, &n);
	if (rc == MAPIPROF_OK)
		rc = walk(ctx, w, "", comp, 0, n, out, &link);
	if (rc == MAPIPROF_OK && *out == NULL) {
		if (link)
			mp_seterr(ctx, MAPIPROF_E_INVALID,
			          "'%s' in the image is a link or not a file: not followed", path);
		else
			mp_seterr(ctx, MAPIPROF_E_NOENT, "no %s in the image", path);
		rc = MAPIPROF_FAILED;
	}
	mp_image_free_components(comp, n);
	if (rc != MAPIPROF_OK)
		mp_seterr_file(ctx, w->spec);
	return rc;
}

/* The parent of a path inside the image ("" for the root) and its last
 * component; *dir malloc'd. */
static int
split_path(struct mapiprof_ctx *ctx, const char *path, char **dir, const char **base)
{
	const char *slash = strrchr(path, '/');
	*base = slash != NULL ? slash + 1 : path;
	*dir = strndup(path, slash != NULL ? (size_t)(slash - path) : 0);
	return *dir != NULL ? MAPIPROF_OK : mp_nomem(ctx);
}

/* The hive at path and the logs beside it (hive.LOG, .LOG1, .LOG2, names
 * matched as Windows would) as paths inside the image: v[0] the hive; *n
 * how many.  Fails when path is not a file of at most MP_MAX_HIVE_IMAGE
 * bytes (a hive larger is refused by the reader anyway). */
static int
members(struct mapiprof_ctx *ctx, const struct mapiprof_wim *w, const char *path,
        char *v[1 + NLOGS], size_t *n)
{
	char *dir = NULL;
	const char *base = NULL;
	struct listing l = {0};
	*n = 0;
	if (split_path(ctx, path, &dir, &base) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = list_dir(ctx, w, dir, &l);
	long k = rc == MAPIPROF_OK ? find_file(&l, base) : -1;
	if (rc == MAPIPROF_OK && (k < 0 || strcmp(l.names[k], base) != 0)) {
		mp_seterr(ctx, MAPIPROF_E_NOENT, "no %s in the image", path);
		rc = MAPIPROF_FAILED;
	} else if (rc == MAPIPROF_OK && l.sizes[k] > MP_MAX_HIVE_IMAGE) {
		mp_seterr(ctx, MAPIPROF_E_LIMIT, "%s in the image is larger than a hive can be",
		          path);
		rc = MAPIPROF_FAILED;
	} else if (rc == MAPIPROF_OK) {
		rc = (v[(*n)++] = strdup(path)) != NULL ? MAPIPROF_OK : mp_nomem(ctx);
	}
	for (size_t s = 0; rc == MAPIPROF_OK && s < NLOGS; s++) {
		char *name = malloc(strlen(base) + strlen(log_suffixes[s]) + 1);
		if (name == NULL) {
			rc = mp_nomem(ctx);
			break;
		}
		strcpy(name, base);
		strcat(name, log_suffixes[s]);
		long j = find_file(&l, name);
		free(name);
		if (j >= 0 && l.sizes[j] <= MP_MAX_HIVE_IMAGE &&
		    (v[(*n)++] = join(dir, l.names[j])) == NULL) {
			(*n)--;
			rc = mp_nomem(ctx);
		}
	}
	listing_free(&l);
	free(dir);
	if (rc != MAPIPROF_OK) {
		for (size_t i = 0; i < *n; i++)
			free(v[i]);
		*n = 0;
	}
	return rc;
}

/* The private working directory (mode 0700, in $TMPDIR), made once. */
static int
workdir(struct mapiprof_ctx *ctx, struct mapiprof_wim *w)
{
	if (w->workdir != NULL)
		return MAPIPROF_OK;
	return mp_temp_dir(ctx, mp_tmpdir(), "mapiprof-wim", &w->workdir);
}

int
mapiprof_wim_extract(struct mapiprof_ctx *ctx, struct mapiprof_wim *w, const char *path,
                     char **local)
{
	char *v[1 + NLOGS];
	size_t n = 0;
	char sub[32];
	if (ctx == NULL || w == NULL || path == NULL || local == NULL || w->spent) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "mapiprof_wim_extract: invalid argument");
		return MAPIPROF_FAILED;
	}
	*local = NULL;
	if (members(ctx, w, path, v, &n) != MAPIPROF_OK || workdir(ctx, w) != MAPIPROF_OK) {
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		mp_seterr_file(ctx, w->spec);
		return MAPIPROF_FAILED;
	}
	/* One folder per hive: every user's hive is NTUSER.DAT. */
	snprintf(sub, sizeof(sub), "%u", ++w->nextract);
	char *dir = mp_path_join(w->workdir, sub);
	int rc = dir != NULL ? MAPIPROF_OK : mp_nomem(ctx);
	if (rc == MAPIPROF_OK && mkdir(dir, 0700) != 0) {
		mp_seterr_errno(ctx, errno, "cannot make %s: %s", dir, strerror(errno));
		rc = MAPIPROF_FAILED;
	}
	if (rc == MAPIPROF_OK) {
		int code =
		    w->lib->extract_paths(w->wim, w->image, dir, (const wimlib_tchar *const *)v, n,
		                          WIMLIB_EXTRACT_FLAG_NO_PRESERVE_DIR_STRUCTURE);
		if (code != 0)
			rc = wim_err(ctx, w, MAPIPROF_E_FORMAT, code, "extracting from the image");
	}
	const char *base = strrchr(path, '/');
	if (rc == MAPIPROF_OK &&
	    (*local = mp_path_join(dir, base != NULL ? base + 1 : path)) == NULL)
		rc = mp_nomem(ctx);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(dir);
	if (rc != MAPIPROF_OK)
		mp_seterr_file(ctx, w->spec);
	return rc;
}

/* The last access time of path in the image, for the new file to keep
 * (wimlib takes it from the file it adds). */
struct times {
	struct wimlib_timespec access;
	int found;
};

static int
get_times(const struct wimlib_dir_entry *d, void *arg)
{
	struct times *t = arg;
	t->access = d->last_access_time;
	t->found = 1;
	return 0;
}

/* Sets local's last access time to path's in the image; its last write
 * time stays the time it was written. */
static void
keep_access_time(const struct mapiprof_wim *w, const char *path, const char *local)
{
	struct times t = {0};
	if (w->lib->iterate_dir_tree(w->wim, w->image, path, 0, get_times, &t) != 0 || !t.found)
		return;
	struct timespec ts[2] = {{.tv_sec = (time_t)t.access.tv_sec, .tv_nsec = t.access.tv_nsec},
	                         {.tv_sec = 0, .tv_nsec = UTIME_OMIT}};
	utimensat(AT_FDCWD, local, ts, 0); /* best effort: the content is what matters */
}

/* The update commands: each hive, and with logs its logs found beside it
 * both in the image and in its working folder. */
static int
build_commands(struct mapiprof_ctx *ctx, struct mapiprof_wim *w, const struct mapiprof_wim_put *v,
               size_t n, struct wimlib_update_command **cmds, char ***owned, size_t *ncmds,
               size_t *nowned)
{
	size_t cap = n * (1 + NLOGS);
	*cmds = calloc(cap ? cap : 1, sizeof(**cmds));
	*owned = calloc(cap ? 2 * cap : 1, sizeof(**owned));
	*ncmds = *nowned = 0;
	if (*cmds == NULL || *owned == NULL)
		return mp_nomem(ctx);
	for (size_t i = 0; i < n; i++) {
		char *m[1 + NLOGS];
		size_t nm = 0;
		if (members(ctx, w, v[i].path, m, &nm) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		char *ldir = mp_path_dir(v[i].local);
		int rc = ldir != NULL ? MAPIPROF_OK : mp_nomem(ctx);
		for (size_t j = 0; j < nm; j++) {
			char *src = NULL;
			if (rc == MAPIPROF_OK && j > 0 && v[i].logs) {
				const char *b = strrchr(m[j], '/');
				src = mp_path_join(ldir, b != NULL ? b + 1 : m[j]);
				if (src == NULL)
					rc = mp_nomem(ctx);
				else if (access(src, F_OK) != 0) {
					free(src);
					src = NULL;
				}
			} else if (rc == MAPIPROF_OK && j == 0 &&
			           (src = strdup(v[i].local)) == NULL) {
				rc = mp_nomem(ctx);
			}
			if (src != NULL) {
				keep_access_time(w, m[j], src);
				struct wimlib_update_command *c = &(*cmds)[(*ncmds)++];
				c->op = WIMLIB_UPDATE_OP_ADD;
				c->add.fs_source_path = src;
				c->add.wim_target_path = m[j];
				(*owned)[(*nowned)++] = src;
				(*owned)[(*nowned)++] = m[j];
			} else {
				free(m[j]);
			}
		}
		free(ldir);
		if (rc != MAPIPROF_OK)
			return rc;
	}
	return MAPIPROF_OK;
}

/* Keeps the archive as file+suffix before it is replaced: a hard link (or
 * a copy) renamed into place (mp_install_backup); the rebuild renames a new
 * file over the archive, so the backup keeps the old one. */
static int
backup(struct mapiprof_ctx *ctx, const struct mapiprof_wim *w, const char *suffix)
{
	struct mp_install ins = {0};
	int rc = mp_install_begin(&ins, ctx, w->file, suffix);
	if (rc == MAPIPROF_OK)
		rc = mp_install_backup_target(&ins);
	mp_install_end(&ins);
	return rc;
}

int
mapiprof_wim_update(struct mapiprof_ctx *ctx, struct mapiprof_wim *w,
                    const struct mapiprof_wim_put *v, size_t n, const char *backup_suffix)
{
	struct wimlib_update_command *cmds = NULL;
	char **owned = NULL;
	size_t ncmds = 0, nowned = 0;
	struct stat before;
	if (ctx == NULL || w == NULL || (v == NULL && n > 0) || w->spent) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "mapiprof_wim_update: invalid argument");
		return MAPIPROF_FAILED;
	}
	if (n == 0)
		return MAPIPROF_OK; /* nothing changed: the archive is not rewritten */
	int rc = build_commands(ctx, w, v, n, &cmds, &owned, &ncmds, &nowned);
	if (rc == MAPIPROF_OK && stat(w->file, &before) != 0) {
		mp_seterr_errno(ctx, errno, "%s", strerror(errno));
		rc = MAPIPROF_FAILED;
	}
	if (rc == MAPIPROF_OK && backup_suffix != NULL)
		rc = backup(ctx, w, backup_suffix);
	if (rc == MAPIPROF_OK) {
		int code = w->lib->update_image(w->wim, w->image, cmds, ncmds, 0);
		if (code != 0)
			rc = wim_err(ctx, w, MAPIPROF_E_IO, code, "updating the image");
	}
	if (rc == MAPIPROF_OK) {
		int code = w->lib->overwrite(
		    w->wim, WIMLIB_WRITE_FLAG_REBUILD | WIMLIB_WRITE_FLAG_FSYNC, 0);
		if (code != 0)
			rc = wim_err(ctx, w, MAPIPROF_E_IO, code, "writing the WIM file");
		else
			w->spent = 1;
	}
	if (rc == MAPIPROF_OK) {
		/* wimlib made the new archive with the default mode: give it the
		 * old one's (and owner, where allowed). */
		if (chmod(w->file, before.st_mode & 07777) != 0 ||
		    (geteuid() == 0 && chown(w->file, before.st_uid, before.st_gid) != 0))
			mp_setnote(ctx, "the WIM file's owner or mode could not be kept");
		char *dir = mp_path_dir(w->file);
		rc = dir != NULL ? mp_fsync_dir(ctx, dir) : mp_nomem(ctx);
		free(dir);
	}
	for (size_t i = 0; i < nowned; i++)
		free(owned[i]);
	free(owned);
	free(cmds);
	if (rc != MAPIPROF_OK && mapiprof_errfile(ctx) == NULL)
		mp_seterr_file(ctx, w->spec);
	return rc;
}

const char *
mapiprof_wim_file(const struct mapiprof_wim *w)
{
	return w != NULL ? w->file : NULL;
}

/* Removes the working directory: the folders extract made and the files
 * in them (the hives, their logs and what the writes left). */
static void
remove_workdir(const char *dir)
{
	char **subs = NULL;
	size_t nsubs = 0;
	if (mp_dir_list(NULL, dir, &subs, &nsubs) == MAPIPROF_OK) {
		for (size_t i = 0; i < nsubs; i++) {
			char *sub = mp_path_join(dir, subs[i]);
			char **names = NULL;
			size_t nn = 0;
			if (sub != NULL && mp_dir_list(NULL, sub, &names, &nn) == MAPIPROF_OK) {
				for (size_t k = 0; k < nn; k++) {
					char *p = mp_path_join(sub, names[k]);
					if (p != NULL)
						unlink(p);
					free(p);
					free(names[k]);
				}
				free(names);
			}
			if (sub != NULL && rmdir(sub) != 0)
				unlink(sub);
			free(sub);
			free(subs[i]);
		}
		free(subs);
	}
	rmdir(dir);
}

void
mapiprof_wim_close(struct mapiprof_wim *w)
{
	if (w == NULL)
		return;
	if (w->workdir != NULL)
		remove_workdir(w->workdir);
	if (w->wim != NULL)
		w->lib->free(w->wim);
	free(w->workdir);
	free(w->file);
	free(w->spec);
	mp_close(w->lock_fd); /* last: releases the lock */
	free(w);
}
