/* priv.c: started as root, routexd binds port 179 and its control socket, then becomes the
 * `user:` of its config for good (docs/packaging.md, docs/config.md "Privileges").
 *
 * Order, all on the main thread before the decision and I/O threads exist:
 *   1. bounding set reduced to CAP_NET_BIND_SERVICE (needs CAP_SETPCAP, so while root);
 *   2. PR_SET_KEEPCAPS, so the permitted set survives the uid change on this thread;
 *   3. setgroups(0), setresgid, setresuid: glibc applies the ids to every thread of the
 *      process (the control thread is already running); threads other than this one keep no
 *      capability, since only this one set KEEPCAPS;
 *   4. capset: permitted = effective = CAP_NET_BIND_SERVICE, inheritable empty; keep-caps
 *      off again; PR_SET_NO_NEW_PRIVS so no exec can ever regain anything;
 *   5. setuid(0) must now fail, else we stop.
 * Threads created afterwards (decision, I/O) inherit this thread's sets: a listener bound
 * later (a reload that opens `listen` entries) may still use a port below 1024, and nothing
 * else privileged remains. The raw capset system call is used rather than libcap: one call,
 * no new dependency. */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <routex/service.h>

int priv_resolve(const struct conf_daemon *c, struct priv_target *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	if (!c->user)
		return 0;
	errno = 0;
	struct passwd *pw = getpwnam(c->user);
	if (!pw) {
		snprintf(err, errlen, "%s:%u: user: %s \"%s\"", c->file, c->key_line[CONF_DK_USER],
			 errno ? strerror(errno) : "no such user", c->user);
		return -1;
	}
	t->set = true;
	t->user = c->user;
	t->uid = pw->pw_uid;
	t->gid = pw->pw_gid;
	if (t->uid == 0) {
		snprintf(err, errlen, "%s:%u: user: \"%s\" has uid 0: it gives up nothing", c->file,
			 c->key_line[CONF_DK_USER], c->user);
		return -1;
	}
	if (c->group) {
		errno = 0;
		struct group *gr = getgrnam(c->group);
		if (!gr) {
			snprintf(err, errlen, "%s:%u: group: %s \"%s\"", c->file,
				 c->key_line[CONF_DK_GROUP], errno ? strerror(errno) : "no such group",
				 c->group);
			return -1;
		}
		t->gid = gr->gr_gid;
		t->group = c->group;
	} else {
		struct group *gr = getgrgid(t->gid);
		if (gr)
			snprintf(t->group_buf, sizeof(t->group_buf), "%s", gr->gr_name);
		else
			snprintf(t->group_buf, sizeof(t->group_buf), "%u", (unsigned)t->gid);
		t->group = t->group_buf;
	}
	if (t->gid == 0) {
		snprintf(err, errlen, "%s:%u: %s: group id 0 (root's group) would own the control "
				      "socket: name another group",
			 c->file, c->key_line[c->group ? CONF_DK_GROUP : CONF_DK_USER],
			 c->group ? "group" : "user");
		return -1;
	}
	return 0;
}

int priv_needed(const struct priv_target *t, char *err, size_t errlen)
{
	if (!t->set)
		return 0;
	if (geteuid() == 0)
		return 1;
	if (geteuid() == t->uid && getegid() == t->gid)
		return 0; /* started as the user already (systemd User=): nothing to drop */
	snprintf(err, errlen,
		 "user: routexd runs as uid %u gid %u, not root: it cannot become %s:%s "
		 "(start it as root, or as that user)",
		 (unsigned)geteuid(), (unsigned)getegid(), t->user, t->group);
	return -1;
}

int priv_socket_dir(const char *sock_path, const struct priv_target *t, bool drop, char *err,
		    size_t errlen)
{
	char dir[128]; /* the path fits sun_path (conf checks it) */
	snprintf(dir, sizeof(dir), "%s", sock_path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0; /* relative name in the working folder, or a socket in / */
	*slash = 0;
	struct stat st;
	if (stat(dir, &st) == 0)
		return 0; /* an existing folder is the operator's: left as it is */
	if (errno != ENOENT || mkdir(dir, 0750) != 0) {
		snprintf(err, errlen, "control socket folder %s: %s", dir, strerror(errno));
		return -1;
	}
	if (drop && chown(dir, t->uid, t->gid) != 0) {
		snprintf(err, errlen, "control socket folder %s: chown: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int priv_socket_owner(const char *sock_path, const struct priv_target *t, char *err,
		      size_t errlen)
{
	if (chown(sock_path, t->uid, t->gid) != 0) {
		snprintf(err, errlen, "control socket %s: chown to %s:%s: %s", sock_path, t->user,
			 t->group, strerror(errno));
		return -1;
	}
	return 0;
}

/* Every capability but CAP_NET_BIND_SERVICE out of the bounding set; the loop ends at the
 * first number this kernel does not know (EINVAL). */
static int drop_bounding(char *err, size_t errlen)
{
	for (int cap = 0; cap < 64; cap++) {
		if (cap == CAP_NET_BIND_SERVICE)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
			if (errno == EINVAL)
				return 0;
			snprintf(err, errlen, "cannot drop capability %d from the bounding set: %s",
				 cap, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int keep_bind_only(char *err, size_t errlen)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	memset(data, 0, sizeof(data));
	data[CAP_TO_INDEX(CAP_NET_BIND_SERVICE)].permitted = CAP_TO_MASK(CAP_NET_BIND_SERVICE);
	data[CAP_TO_INDEX(CAP_NET_BIND_SERVICE)].effective = CAP_TO_MASK(CAP_NET_BIND_SERVICE);
	if (syscall(SYS_capset, &h, data) != 0) {
		snprintf(err, errlen, "capset CAP_NET_BIND_SERVICE: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int priv_drop(const struct priv_target *t, char *err, size_t errlen)
{
	if (drop_bounding(err, errlen))
		return -1;
	/* An ambient set inherited from a service manager would survive into children. */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) {
		snprintf(err, errlen, "PR_SET_KEEPCAPS: %s", strerror(errno));
		return -1;
	}
	if (setgroups(0, NULL) != 0 || setresgid(t->gid, t->gid, t->gid) != 0 ||
	    setresuid(t->uid, t->uid, t->uid) != 0) {
		snprintf(err, errlen, "cannot become %s:%s (uid %u gid %u): %s", t->user, t->group,
			 (unsigned)t->uid, (unsigned)t->gid, strerror(errno));
		return -1;
	}
	if (keep_bind_only(err, errlen))
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errlen, "prctl after the identity change: %s", strerror(errno));
		return -1;
	}
	uid_t r, e, s;
	if (setuid(0) == 0 || getresuid(&r, &e, &s) != 0 || r != t->uid || e != t->uid ||
	    s != t->uid || getegid() != t->gid) {
		snprintf(err, errlen, "the switch to %s:%s did not hold", t->user, t->group);
		return -1;
	}
	return 0;
}
