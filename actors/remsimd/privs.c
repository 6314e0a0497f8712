/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privs.c: least privilege for a role (docs/remsimd.md "Privileges").
 * remsimd sets no-new-privileges for itself and every actor it starts; with
 * `user` (and optionally `group`) in the config or -u USER[:GROUP], remsimd,
 * started as root, creates its run and state directories, hands them (and
 * the files directly in the state directory, e.g. the sqlite database) to
 * that user, and drops to it (supplementary groups of the user included,
 * e.g. `remsim` for the USB boards of etc/udev/) before it starts any actor.
 * Nothing runs as root afterwards: a setuid(0) must fail, or remsimd stops. */
#include "privs.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

int privs_no_new(void)
{
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/* name or number -> uid/gid; the user's primary group in *gid */
static int find_user(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam(user);
	char *end;
	if (!pw) {
		long v = strtol(user, &end, 10);
		if (!*user || *end || v < 0 || !(pw = getpwuid((uid_t)v)))
			return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

static int find_group(const char *group, gid_t *gid)
{
	struct group *gr = getgrnam(group);
	char *end;
	if (gr) {
		*gid = gr->gr_gid;
		return 0;
	}
	long v = strtol(group, &end, 10);
	if (!*group || *end || v < 0)
		return -1;
	*gid = (gid_t)v;
	return 0;
}

/* the directory and the regular files directly in it */
static int hand_over(const char *dir, uid_t uid, gid_t gid, int files, char *err, size_t len)
{
	if (chown(dir, uid, gid) < 0) {
		snprintf(err, len, "cannot hand %s to uid %u: %s", dir, (unsigned)uid, strerror(errno));
		return -1;
	}
	DIR *d = files ? opendir(dir) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char p[4096];
		struct stat st;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && chown(p, uid, gid) < 0)
			LOGW(NULL, "cannot hand %s to uid %u: %s", p, (unsigned)uid, strerror(errno));
	}
	if (d)
		closedir(d);
	return 0;
}

int privs_drop(const char *user, const char *group, const char *run_dir, const char *state_dir,
	       char *err, size_t len)
{
	if (!user && !group)
		return 0;
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (user && find_user(user, &uid, &gid) < 0) {
		snprintf(err, len, "user '%s': no such user", user);
		return -1;
	}
	if (group && find_group(group, &gid) < 0) {
		snprintf(err, len, "group '%s': no such group", group);
		return -1;
	}
	if (geteuid() != 0) {
		if (uid == geteuid() && gid == getegid())
			return 0;	/* already that user */
		snprintf(err, len, "user/group %s:%s need remsimd to start as root (it runs as uid %u)",
			 user ? user : "-", group ? group : "-", (unsigned)geteuid());
		return -1;
	}
	if (hand_over(run_dir, uid, gid, 0, err, len) < 0 ||
	    (state_dir && hand_over(state_dir, uid, gid, 1, err, len) < 0))
		return -1;
	int ok = (user ? initgroups(user, gid) : setgroups(0, NULL)) == 0 && setgid(gid) == 0 &&
		 setuid(uid) == 0;
	if (!ok) {
		snprintf(err, len, "cannot switch to uid %u gid %u: %s", (unsigned)uid, (unsigned)gid,
			 strerror(errno));
		return -1;
	}
	if (uid != 0 && setuid(0) == 0) {
		snprintf(err, len, "could switch back to root after dropping privileges");
		return -1;
	}
	LOGI(NULL, "running as uid %u gid %u (%s%s%s)", (unsigned)uid, (unsigned)gid, user ? user : "",
	     group ? ":" : "", group ? group : "");
	return 0;
}
