/* service.h: what routexd does for the operating system around it (src/core/priv.c,
 * src/core/notify.c): dropping root after the privileged sockets are open, and telling a
 * service manager (systemd) that it is ready, reloading or stopping. See docs/packaging.md. */
#ifndef ROUTEX_SERVICE_H
#define ROUTEX_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <routex/conf-t.h>

/* The identity `user:` / `group:` name, resolved on this host. */
struct priv_target {
	bool set;   /* the config names a user */
	uid_t uid;
	gid_t gid;
	const char *user, *group; /* the config's names (group: the primary group's name) */
	char group_buf[64];
};

/* Looks the config's user and group up. 0, or -1 with "FILE:LINE: user: no such user ..." in
 * err. Run by `routexd -n` too, so a config naming a missing account is refused early. */
int priv_resolve(const struct conf_daemon *c, struct priv_target *t, char *err, size_t errlen);
/* Whether this process must switch identity: true when started as root with a target; false
 * when there is no target or routexd already runs as it. -1 with a reason in err when the
 * switch is impossible (started as another unprivileged user). */
int priv_needed(const struct priv_target *t, char *err, size_t errlen);
/* The control socket's folder: created 0750 when missing (its parent must exist), owned by
 * the target when dropping, so the unprivileged daemon can remove its socket at exit. */
int priv_socket_dir(const char *sock_path, const struct priv_target *t, bool drop, char *err,
		    size_t errlen);
/* Gives the bound control socket to the target user and group (mode stays 0660). */
int priv_socket_owner(const char *sock_path, const struct priv_target *t, char *err,
		      size_t errlen);
/* Becomes the target for good: supplementary groups dropped, real/effective/saved gid and uid
 * set, every capability but CAP_NET_BIND_SERVICE gone (bounding set included), no new
 * privileges. Call from the main thread before the threads that need to bind (decision, I/O)
 * are created: they inherit its capability sets; threads created earlier lose every
 * capability. Verifies that root cannot be regained. */
int priv_drop(const struct priv_target *t, char *err, size_t errlen);

/* sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET ("READY=1",
 * "RELOADING=1", "STOPPING=1", "STATUS=..."). Does nothing outside a Type=notify service. */
void service_notify(const char *state);

#endif
