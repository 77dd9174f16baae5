// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * GRO, channels and offload switches through the ethtool ioctl.  The ioctl acts in the namespace of the socket it is issued on, so
 * @fd is a socket opened inside the node (struct xl_ns).  A veth end with GRO gets a NAPI instance,
 * and a veth delivers frames that XDP redirects into its peer (ndo_xdp_xmit) only to a NAPI.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>

#include "lab.h"
#include "nl.h"

static int eth_ioctl(int fd, const char *ifname, void *v)
{
	struct ifreq ifr;
	int r;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	ifr.ifr_data = v;
	r = ioctl(fd, SIOCETHTOOL, &ifr);
	return r < 0 ? -errno : r;	/* ETHTOOL_SFEATURES answers flags (> 0) that are no error */
}

int xl_ethtool_gro_set(int fd, const char *ifname, bool on)
{
	struct ethtool_value v = { .cmd = ETHTOOL_SGRO, .data = on };
	int err = eth_ioctl(fd, ifname, &v);

	return err ? xl_fail(err, "cannot turn GRO %s on %s: %s", on ? "on" : "off", ifname, strerror(-err)) : 0;
}

int xl_ethtool_gro_get(int fd, const char *ifname)
{
	struct ethtool_value v = { .cmd = ETHTOOL_GGRO };
	int err = eth_ioctl(fd, ifname, &v);

	return err ? xl_fail(err, "cannot read GRO of %s: %s", ifname, strerror(-err)) : !!v.data;
}

int xl_ethtool_channels_get(int fd, const char *ifname, unsigned int *rx, unsigned int *tx)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	int err = eth_ioctl(fd, ifname, &ch);

	if (err)
		return xl_fail(err, "cannot read how many queues of %s are usable: %s", ifname, strerror(-err));
	*rx = ch.rx_count;
	*tx = ch.tx_count;
	return 0;
}

int xl_ethtool_channels_set(int fd, const char *ifname, unsigned int rx, unsigned int tx)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	int err = eth_ioctl(fd, ifname, &ch);

	if (!err) {
		ch.cmd = ETHTOOL_SCHANNELS;
		ch.rx_count = rx;
		ch.tx_count = tx;
		err = eth_ioctl(fd, ifname, &ch);
	}
	return err ? xl_fail(err, "cannot make %u RX and %u TX queues usable on %s: %s", rx, tx, ifname, strerror(-err)) : 0;
}

/* ---- offload switches (ETHTOOL_[GS]FEATURES, as `ethtool -K` uses them) ---------------------------- */

/*
 * ethtool's short names, each the kernel features its pattern matches (ethtool's off_flag_def):
 * `ethtool -K IF tx off` turns off every tx-checksum-* feature the device lets change.
 */
static const struct {
	const char *name;
	const char *pattern;
} short_names[] = {
	{ "rx", "rx-checksum" },		{ "tx", "tx-checksum-*" },	   { "sg", "tx-scatter-gather*" },
	{ "tso", "tx-tcp*-segmentation" },	{ "ufo", "tx-udp-fragmentation" }, { "gso", "tx-generic-segmentation" },
	{ "gro", "rx-gro" },			{ "lro", "rx-lro" },		   { "rxvlan", "rx-vlan-hw-parse" },
	{ "txvlan", "tx-vlan-hw-insert" },	{ "ntuple", "rx-ntuple-filter" },  { "rxhash", "rx-hashing" },
};

struct features {
	unsigned int n;				/* features the kernel names */
	char (*names)[ETH_GSTRING_LEN];
	struct ethtool_gfeatures *get;		/* available (changeable), requested, active, never_changed */
	struct ethtool_sfeatures *set;		/* valid, requested */
};

static void features_free(struct features *ft)
{
	free(ft->names);
	free(ft->get);
	free(ft->set);
}

static int features_read(int fd, const char *ifname, struct features *ft)
{
	/* The answer's one count follows the header (its flexible data[]). */
	union {
		struct ethtool_sset_info hdr;
		uint8_t bytes[sizeof(struct ethtool_sset_info) + sizeof(uint32_t)];
	} info = { .hdr = { .cmd = ETHTOOL_GSSET_INFO, .sset_mask = 1ull << ETH_SS_FEATURES } };
	struct ethtool_gstrings *gs = NULL;
	unsigned int blocks;
	int err;

	memset(ft, 0, sizeof(*ft));
	if ((err = eth_ioctl(fd, ifname, &info)))
		return xl_fail(err, "cannot read which offloads %s has: %s", ifname, strerror(-err));
	ft->n = info.hdr.sset_mask ? info.hdr.data[0] : 0;
	if (!ft->n || ft->n > 4096)
		return xl_fail(-EOPNOTSUPP, "%s names no offloads (the kernel lists %u)", ifname, ft->n);
	blocks = (ft->n + 31) / 32;
	gs = calloc(1, sizeof(*gs) + (size_t)ft->n * ETH_GSTRING_LEN);
	ft->names = calloc(ft->n, ETH_GSTRING_LEN);
	ft->get = calloc(1, sizeof(*ft->get) + blocks * sizeof(ft->get->features[0]));
	ft->set = calloc(1, sizeof(*ft->set) + blocks * sizeof(ft->set->features[0]));
	if (!gs || !ft->names || !ft->get || !ft->set) {
		err = xl_fail(-ENOMEM, "out of memory");
		goto out;
	}
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_FEATURES;
	gs->len = ft->n;
	if ((err = eth_ioctl(fd, ifname, gs))) {
		err = xl_fail(err, "cannot read the offload names of %s: %s", ifname, strerror(-err));
		goto out;
	}
	memcpy(ft->names, gs->data, (size_t)ft->n * ETH_GSTRING_LEN);
	for (unsigned int k = 0; k < ft->n; k++)
		ft->names[k][ETH_GSTRING_LEN - 1] = '\0';
	ft->get->cmd = ETHTOOL_GFEATURES;
	ft->get->size = blocks;
	ft->set->cmd = ETHTOOL_SFEATURES;
	ft->set->size = blocks;
	if ((err = eth_ioctl(fd, ifname, ft->get)))
		err = xl_fail(err, "cannot read the offloads of %s: %s", ifname, strerror(-err));
out:
	free(gs);
	if (err)
		features_free(ft);
	return err;
}

#define FBIT(k) (1u << ((k) % 32))
#define FBLK(k) ((k) / 32)

/* Whether feature @k is one that switch @name stands for. */
static bool covers(const char *name, const char *feature)
{
	for (size_t s = 0; s < sizeof(short_names) / sizeof(short_names[0]); s++)
		if (!strcmp(name, short_names[s].name))
			return !fnmatch(short_names[s].pattern, feature, 0);
	return !strcmp(name, feature);
}

int xl_ethtool_offloads_set(int fd, const char *ifname, const struct xl_offload *offs, int n, int *bad, char *done,
			    size_t len)
{
	struct features ft;
	size_t used = 0;
	int err;

	if (done && len)
		done[0] = '\0';
	*bad = -1;
	if ((err = features_read(fd, ifname, &ft)))
		return err;
	/* What each switch asks, in the file's order: a later switch wins on the features both cover. */
	for (int s = 0; s < n; s++) {
		int matched = 0, changeable = 0, differs = 0;

		for (unsigned int k = 0; k < ft.n; k++) {
			const struct ethtool_get_features_block *g = &ft.get->features[FBLK(k)];

			if (!covers(offs[s].name, ft.names[k]))
				continue;
			matched++;
			differs += !!(g->active & FBIT(k)) != offs[s].on;
			if (!(g->available & FBIT(k)) || (g->never_changed & FBIT(k)))
				continue;
			changeable++;
			ft.set->features[FBLK(k)].valid |= FBIT(k);
			if (offs[s].on)
				ft.set->features[FBLK(k)].requested |= FBIT(k);
			else
				ft.set->features[FBLK(k)].requested &= ~FBIT(k);
		}
		*bad = s;
		if (!matched) {
			err = xl_fail(-ENOENT, "%s has no offload '%s' (ethtool -K takes tx, rx, sg, tso, gso, gro, lro, "
				      "rxvlan, txvlan, ntuple, rxhash, or a feature the device names, like "
				      "tx-checksum-ip-generic)", ifname, offs[s].name);
			goto out;
		}
		if (!changeable && differs) {
			err = xl_fail(-EOPNOTSUPP, "%s does not let offload %s change: it is fixed %s", ifname, offs[s].name,
				      offs[s].on ? "off" : "on");
			goto out;
		}
	}
	*bad = -1;
	if ((err = eth_ioctl(fd, ifname, ft.set)) < 0) {
		err = xl_fail(err, "cannot set the offloads of %s: %s", ifname, strerror(-err));
		goto out;
	}
	/* The kernel takes what it can and says nothing about the rest (ETHTOOL_F_WISH aside): look. */
	{
		struct ethtool_get_features_block before[(4096 + 31) / 32];

		memcpy(before, ft.get->features, ft.get->size * sizeof(before[0]));
		if ((err = eth_ioctl(fd, ifname, ft.get))) {
			err = xl_fail(err, "cannot read back the offloads of %s: %s", ifname, strerror(-err));
			goto out;
		}
		for (unsigned int k = 0; k < ft.n; k++) {
			const struct ethtool_set_features_block *s = &ft.set->features[FBLK(k)];
			bool want = s->requested & FBIT(k), now = ft.get->features[FBLK(k)].active & FBIT(k);

			if (!(s->valid & FBIT(k)))
				continue;
			if (want != now) {
				for (int o = n - 1; o >= 0; o--)
					if (covers(offs[o].name, ft.names[k])) {
						*bad = o;
						err = xl_fail(-EAGAIN, "cannot turn offload %s %s on %s: the kernel keeps %s %s "
							      "(it depends on another offload, e.g. tso on tx and sg)",
							      offs[o].name, want ? "on" : "off", ifname, ft.names[k],
							      now ? "on" : "off");
						goto out;
					}
			}
			if (done && len > used + 1 && !!(before[FBLK(k)].active & FBIT(k)) != now)
				used += (size_t)snprintf(done + used, len - used, "%s%s %s", used ? ", " : "", ft.names[k],
							 now ? "on" : "off");
		}
	}
out:
	features_free(&ft);
	return err;
}
