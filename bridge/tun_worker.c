// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The worker of `xdpbridge tap|tun`: one thread, one IF queue, one device queue, no lock.
 *
 *   loop until ctl->stop:
 *     NIC -> device   n = rx_seek_n(batch)           what IF has delivered, up to a batch
 *                     write(fd, frame or packet)     one syscall per frame: the only way into a
 *                                                    TUN/TAP (no writev of several packets)
 *                     rx_commit_n(n)                 the frames go back to the fill ring at once
 *     device -> NIC   k = tx_seek_n(batch)           free TX frames
 *                     readv(fd) into frame i         until EAGAIN or a batch; the TUN's packet
 *                                                    lands after 14 bytes left for its header;
 *                                                    offloads: a TCP/UDP super-packet is cut into
 *                                                    frames i.. (tun_gso.c), checksums finished
 *                     tx_commit_n(i); kick           one kick per batch
 *     nothing moved:  poll() on the socket, the device and the eventfd, then loop
 *   drain: what IF already delivered goes to the device; wait for IF to send what it holds
 *
 * Both fds are non-blocking: a round reads until EAGAIN (or a batch, to stay fair to the other
 * direction) and the worker sleeps in poll() only when neither direction moved, never once per
 * frame.  A frame from IF is never held: the device either takes it, or it is dropped and
 * counted by cause.  A packet from the device waits in the device's queue while IF has no free
 * TX frame (tx_ring_full); when that queue overflows the kernel counts the drop on the device.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <linux/virtio_net.h>

#include "daemon.h"
#include "tun.h"

#define IDLE_MS		1000	/* safety net: a socket whose interface changed may not signal */
#define BUSY_RETRY_MS	1	/* the kernel left frames on the TX ring, or none was free: look again soon */
#define DOWN_RETRY_MS	100	/* IF said ENETDOWN before the monitor did */
#define SPILL_LEN	65536	/* the longest packet a TUN/TAP hands out (a 64 KiB TCP/UDP super-packet) */
#define VNET_LEN	sizeof(struct virtio_net_hdr)
#define MISS_REPEAT_MS	200	/* repeats of one missing next hop coalesced: not a wakeup per packet */
#define DRAIN_BATCHES	64	/* batches of IF's RX ring a stopping worker still delivers */

/* Stop on an error: say why (read by the main thread after join) and wake the main thread. */
static int fail(struct tun_worker *w, int err, const char *who, const char *what)
{
	if (err == -EBADFD || err == -ENODEV || err == -ENXIO)
		snprintf(w->errmsg, sizeof(w->errmsg), "%s disappeared (deleted under the bridge?): queue %u: %s", who,
			 w->queue, what);
	else
		snprintf(w->errmsg, sizeof(w->errmsg), "%s queue %u: %s: %s", who, w->queue, what, strerror(-err));
	__atomic_store_n(&w->failed, 1, __ATOMIC_RELEASE);
	xb_wake(w->ctl->main_evfd);
	return err;
}

/* ---- next hops (tun) ------------------------------------------------------ */

/* Single producer (this worker): the slot before the count, which the main thread reads after it. */
static void miss_push(struct tun_worker *w, int family, const uint8_t *addr)
{
	struct tun_miss_ring *r = &w->miss;
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	/* Pairs with tun_miss_pop's store-release of tail: the slot is free to write. */
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	struct tun_miss *m;

	if (head - tail >= TUN_MISS_SLOTS)
		return;		/* the main thread is behind: this one is asked again on its next miss */
	m = &r->slot[head & (TUN_MISS_SLOTS - 1)];
	m->family = (uint32_t)family;
	memcpy(m->addr, addr, 16);
	/* The slot before the count: pairs with tun_miss_pop's load-acquire of head. */
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
	xb_wake(w->ctl->main_evfd);
}

bool tun_miss_pop(struct tun_miss_ring *r, struct tun_miss *m)
{
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
	/* Pairs with miss_push's store-release of head. */
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

	if (tail == head)
		return false;
	*m = r->slot[tail & (TUN_MISS_SLOTS - 1)];
	/* The slot read before it is handed back: pairs with miss_push's load-acquire of tail. */
	__atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
	return true;
}

/*
 * A next hop the table lacks: hand it to the main thread, which has tun_neigh_ask() decide
 * whether to resolve it (the rate limit is there).  Here only repeats of the same miss are
 * coalesced, so that a flow of packets to it is not one eventfd write each.
 */
static void missed(struct tun_worker *w, int family, const uint8_t *hop)
{
	uint8_t a[16] = { 0 };
	long now;

	if (!w->ctl->resolve)
		return;
	memcpy(a, hop, family == 4 ? 4 : 16);
	now = xb_now_ms();
	if (w->miss_family == family && !memcmp(w->miss_addr, a, 16) && now - w->miss_ms < MISS_REPEAT_MS)
		return;
	w->miss_family = family;
	memcpy(w->miss_addr, a, 16);
	w->miss_ms = now;
	miss_push(w, family, a);
}

/* The MAC of the next hop of a packet to @dst, or false (no neighbour: drop it). */
static bool next_hop(struct tun_worker *w, int family, const uint8_t *dst, uint8_t mac[6])
{
	const struct tun_ctl *ctl = w->ctl;
	const uint8_t *hop = dst;
	size_t alen = family == 4 ? 4 : 16;
	uint32_t seq;

	if (ctl->have_peer_mac) {
		memcpy(mac, ctl->peer_mac, 6);
		return true;
	}
	if (tun_frame_group_mac(family, dst, mac))
		return true;
	if (ctl->via.have[family == 6])
		hop = ctl->via.addr[family == 6];
	/* Most packets go to the same next hop: the last answer holds while the table is unchanged. */
	seq = tun_neigh_table_seq(ctl->neigh);
	if (w->nh_family == family && w->nh_seq == seq && !memcmp(w->nh_addr, hop, alen)) {
		memcpy(mac, w->nh_mac, 6);
		return true;
	}
	if (!tun_neigh_table_get(ctl->neigh, family, hop, mac, &seq)) {
		w->nh_family = 0;
		missed(w, family, hop);
		return false;
	}
	w->nh_family = family;
	w->nh_seq = seq;
	memcpy(w->nh_addr, hop, alen);
	memcpy(w->nh_mac, mac, 6);
	return true;
}

/* ---- the two directions ----------------------------------------------------- */

static bool ip_ethertype(const uint8_t *f)
{
	return (f[12] == 0x08 && f[13] == 0x00) || (f[12] == 0x86 && f[13] == 0xdd);
}

/* tun_gro_out_fn: one packet or super-packet into the device, counted. */
static int dev_write(void *ctx, const struct iovec *iov, int iovcnt, uint32_t segs)
{
	struct tun_worker *w = ctx;

	if (writev(w->dev_fd, iov, iovcnt) >= 0) {
		w->c.dev_tx += segs;	/* super-packets: tun_gro.c counts them too (snapshot) */
		return 0;
	}
	if (errno == EINVAL && segs > 1)
		return -EINVAL;	/* a kernel without that offload: tun_gro.c writes them one by one */
	if (errno == EAGAIN) {
		w->c.dev_full += segs;
	} else {
		/* EIO: the device is down (the monitor pauses us soon); EBADFD: it is gone. */
		w->c.dev_error += segs;
		if (errno == EBADFD || errno == ENODEV)
			w->dev_gone = -errno;
	}
	return -errno;
}

/* Up to @want frames from IF into the device.  Returns the frames taken, or -errno (stop). */
static int nic_to_dev(struct tun_worker *w, uint32_t want)
{
	struct tun_ctl *ctl = w->ctl;
	uint32_t dev_max = xb_load_u32(&ctl->dev_max), len, i, n;
	bool tun = ctl->kind == TUN_KIND_TUN;
	int r;

	r = xdpsock_rx_seek_n(w->rx, want);
	if (r <= 0)
		return 0;
	n = (uint32_t)r;
	for (i = 0; i < n; i++) {
		const uint8_t *f = xdpsock_rx_peek_at(w->rx, i, &len);
		uint32_t max = dev_max;

		if (!f)
			continue;	/* EBADMSG: a bad descriptor, counted by the library (rx_bad_descs) */
		if (tun) {
			/* The steering program keeps everything else: this only guards against being bypassed. */
			if (len <= TUN_ETH_HLEN || !ip_ethertype(f)) {
				w->c.nic_non_ip++;
				continue;
			}
			f += TUN_ETH_HLEN;
			len -= TUN_ETH_HLEN;
		} else if (tun_frame_tagged(f, len)) {
			max += TUN_VLAN_HLEN;
		}
		if (len > max) {
			w->c.nic_oversize++;
			continue;
		}
		if (ctl->offload) {
			/* Joined to its flow, or written with a header saying "nothing to do". */
			tun_gro_add(&w->gro, f, len);
		} else {
			struct iovec iov = { (void *)f, len };

			dev_write(w, &iov, 1, 1);
		}
	}
	/* The frames of the batch are in the super-packets: written before they are given back. */
	tun_gro_flush(&w->gro);
	xdpsock_rx_commit_n(w->rx, n);
	w->c.nic_rx += n;
	if (w->dev_gone)
		return fail(w, w->dev_gone, ctl->devname, "write failed");
	return (int)n;
}

/* Kick IF's TX ring; remember whether the kernel left frames on it. */
static int kick(struct tun_worker *w)
{
	int asked = xdpsock_tx_needs_kick(w->tx), r = xdpsock_tx_kick(w->tx);

	if (r == -ENETDOWN) {
		/* Down before the link monitor told the main thread: retry slowly until it pauses us. */
		w->tx_busy = w->tx_down = true;
		return 0;
	}
	if (r < 0)
		return fail(w, r, w->ctl->ifname, "transmit failed");
	w->tx_down = false;
	/* 0 although the kernel asked: it was busy (EAGAIN, EBUSY, ENOBUFS) and frames wait on the ring. */
	w->tx_busy = asked && r == 0;
	return 0;
}

/* The IP header's offset in a frame from a TAP (after one VLAN tag at most); 0 when it is not IP. */
static uint32_t tap_l3(const uint8_t *f, uint32_t len)
{
	if (len >= 18 && tun_frame_tagged(f, len))
		return 18;
	return len >= 14 ? 14 : 0;
}

/*
 * Cut the super-packet in w->gso into frames @i.. of the reservation (@k reserved): the headers
 * repeated, the payload in MSS pieces, every checksum complete (tun_gso.c).  Returns the next
 * free frame; w->gso_active stays set when frames ran out before the segments did.
 */
static uint32_t gso_emit(struct tun_worker *w, uint32_t i, uint32_t k, uint32_t hdr, const uint8_t src[6])
{
	while (i < k && w->gso_active) {
		uint8_t *buf = xdpsock_tx_peek_at(w->tx, i, w->frame_len);
		uint32_t n = tun_gso_next(&w->gso, buf + hdr, w->frame_len - hdr);

		if (!n) {
			/* Checked before the first segment: cannot happen, but never loop on it. */
			w->c.dev_oversize += tun_gso_count(&w->gso) - w->gso.seg;
			w->gso_active = false;
			break;
		}
		if (hdr)
			tun_frame_eth(buf, w->gso_mac, src, w->gso_family);
		xdpsock_tx_set_len(w->tx, i, n + hdr);	/* peeked at the frame's size above */
		i++;
		if (w->gso.seg == tun_gso_count(&w->gso))
			w->gso_active = false;
	}
	return i;
}

/*
 * A super-packet was read (@n bytes, the first @cap of them into @frame, the rest into the spill):
 * put it in one piece, check it and its next hop, and start cutting it.  false: dropped, counted.
 */
static bool gso_begin(struct tun_worker *w, const struct virtio_net_hdr *h, const uint8_t *frame, uint32_t cap,
		      uint32_t n, uint32_t max)
{
	bool tun = w->ctl->kind == TUN_KIND_TUN;
	uint32_t l3, segs, longest;
	uint8_t dst[16];

	memcpy(w->bounce, frame, cap);
	memcpy(w->bounce + cap, w->spill, n - cap);
	w->c.dev_gso++;
	l3 = tun ? 0 : tap_l3(w->bounce, n);
	if (tun_gso_start(&w->gso, h, w->bounce, n, l3)) {
		w->c.dev_rx++;
		w->c.dev_bad_offload++;
		return false;
	}
	segs = tun_gso_count(&w->gso);
	w->c.dev_rx += segs;
	longest = w->gso.hdr_len + (n - w->gso.hdr_len < w->gso.mss ? n - w->gso.hdr_len : w->gso.mss);
	if (longest + (tun ? TUN_ETH_HLEN : 0) > max || longest + (tun ? TUN_ETH_HLEN : 0) > w->frame_len) {
		w->c.dev_oversize += segs;	/* the device's MTU is above IF's: never on the wire */
		return false;
	}
	if (tun) {
		w->gso_family = tun_frame_dst(w->bounce, n, dst);
		if (!w->gso_family) {
			w->c.dev_non_ip += segs;
			return false;
		}
		if (!next_hop(w, w->gso_family, dst, w->gso_mac)) {
			w->c.no_neigh += segs;
			return false;
		}
	}
	w->gso_active = true;
	return true;
}

/*
 * Up to @want packets (tun) or frames (tap) from the device out of IF; with @more false, only the
 * rest of a super-packet being cut (drain).  Returns the reads (or segments sent), or -errno.
 */
static int dev_to_nic(struct tun_worker *w, uint32_t want, bool more)
{
	struct tun_ctl *ctl = w->ctl;
	bool tun = ctl->kind == TUN_KIND_TUN, vnet = ctl->offload;
	uint32_t nic_max = xb_load_u32(&ctl->nic_max), hdr = tun ? TUN_ETH_HLEN : 0, cap = w->frame_len - hdr;
	uint32_t i = 0, reads = 0, k;
	uint64_t m = __atomic_load_n(&ctl->if_mac, __ATOMIC_RELAXED);
	uint8_t src[6];
	int r;

	if (!more && !w->gso_active)
		return 0;
	r = xdpsock_tx_seek_n(w->tx, want);
	if (r <= 0) {
		/* Every frame is on the TX ring or in the kernel: the device's packets wait in its queue. */
		w->tx_starved = true;
		w->c.tx_ring_full++;
		return 0;
	}
	w->tx_starved = false;
	k = (uint32_t)r;
	for (r = 0; r < 6; r++)
		src[r] = (uint8_t)(m >> (8 * r));
	if (w->gso_active)
		i = gso_emit(w, 0, k, hdr, src);
	while (more && i < k && reads < want && !w->gso_active) {
		uint8_t *buf = xdpsock_tx_peek_at(w->tx, i, w->frame_len);
		struct virtio_net_hdr h;
		/* A packet longer than the frame spills over: it is measured, and dropped or cut. */
		struct iovec iov[3] = { { &h, VNET_LEN }, { buf + hdr, cap }, { w->spill, SPILL_LEN } };
		ssize_t got = readv(w->dev_fd, vnet ? iov : iov + 1, vnet ? 3 : 2);
		uint32_t n, len, max = nic_max;

		if (got <= 0 || (vnet && got < (ssize_t)VNET_LEN)) {
			if (got == 0 || (got < 0 && errno == EAGAIN))
				break;
			if (i)
				xdpsock_tx_commit_n(w->tx, i);
			if (got > 0)
				errno = EPROTO;	/* shorter than its own virtio-net header */
			return fail(w, -errno, ctl->devname, "read failed");
		}
		reads++;
		n = (uint32_t)got - (vnet ? (uint32_t)VNET_LEN : 0);
		if (vnet && h.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
			if (gso_begin(w, &h, buf + hdr, n < cap ? n : cap, n, max))
				i = gso_emit(w, i, k, hdr, src);
			continue;
		}
		w->c.dev_rx++;
		len = n + hdr;
		if (!tun && tun_frame_tagged(buf, len))
			max += TUN_VLAN_HLEN;
		if (n > cap || len > max) {
			w->c.dev_oversize++;
			continue;	/* frame i is reused for the next read */
		}
		/* Offloads: the host left this packet's checksum for us to finish. */
		if (vnet && (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
		    tun_csum_finish(buf + hdr, n, h.csum_start, h.csum_offset)) {
			w->c.dev_bad_offload++;
			continue;
		}
		if (tun) {
			uint8_t dst[16], mac[6];
			int family = tun_frame_dst(buf + hdr, n, dst);

			if (!family) {
				w->c.dev_non_ip++;
				continue;
			}
			if (!next_hop(w, family, dst, mac)) {
				w->c.no_neigh++;
				continue;
			}
			tun_frame_eth(buf, mac, src, family);
		}
		xdpsock_tx_set_len(w->tx, i, len);	/* peeked at the frame's size above */
		i++;
	}
	if (i) {
		xdpsock_tx_commit_n(w->tx, i);
		w->c.nic_tx += i;
	}
	if (i || w->tx_busy) {
		int err = kick(w);

		if (err)
			return err;
	}
	return (int)(reads + i);
}

/* ---- counters ------------------------------------------------------------------ */

/* The worker's and the library's counters.  Worker thread only (the library's are plain stores). */
static int snapshot(struct tun_worker *w, struct tun_q_stats *q)
{
	struct xdpsock_stats s;

	if (xdpsock_rx_stats(w->rx, &s))
		return -errno;
	*q = w->c;
	q->nic_invalid = s.rx_bad_descs;
	q->rx_ring_full = s.rx_ring_full;
	q->fill_ring_empty = s.rx_fill_ring_empty_descs;
	q->rx_dropped = s.rx_dropped;
	/* Completions the library has not reclaimed yet were sent all the same. */
	q->sent = s.tx_completed + s.frames.comp;
	q->in_flight = q->nic_tx > q->sent ? q->nic_tx - q->sent : 0;
	q->invalid_descs = s.rx_invalid_descs + s.tx_invalid_descs + s.tx_bad_descs;
	q->tx_kicks = s.tx_wakeups;
	q->dev_gro = w->gro.st.super;
	q->dev_gro_pkts = w->gro.st.merged;
	return 0;
}

static void publish(void *arg)
{
	struct tun_worker *w = arg;
	struct tun_q_stats q;
	uint64_t words[TUN_Q_WORDS];
	uint32_t req = __atomic_load_n(&w->ctl->pub_req, __ATOMIC_ACQUIRE);

	/* On failure the previous snapshot stays: better stale than zero. */
	if (!snapshot(w, &q)) {
		memcpy(words, &q, sizeof(words));
		xb_seqlock_publish(&w->seq, w->snap, words, TUN_Q_WORDS);
	}
	/* Pairs with the main thread's load-acquire before it reads the snapshot. */
	__atomic_store_n(&w->pub_done, req, __ATOMIC_RELEASE);
}

bool tun_worker_read(const struct tun_worker *w, struct tun_q_stats *q)
{
	uint64_t words[TUN_Q_WORDS];

	if (!xb_seqlock_read(&w->seq, w->snap, words, TUN_Q_WORDS))
		return false;
	memcpy(q, words, sizeof(words));
	return true;
}

/* ---- sleeping, draining ---------------------------------------------------------- */

/* Nothing moved: sleep until IF, the device or the eventfd has something. */
static int idle(void *arg)
{
	struct tun_worker *w = arg;
	struct tun_ctl *ctl = w->ctl;
	struct pollfd pfd[3] = {
		{ .fd = w->xsk_fd },
		{ .fd = w->dev_fd },
		{ .fd = w->evfd, .events = POLLIN },
	};
	int timeout = IDLE_MS, n;
	uint64_t v;

	if (!xb_load_int(&ctl->down[TUN_DEV]))
		pfd[0].events |= POLLIN;
	if (!xb_load_int(&ctl->down[TUN_NIC])) {
		/* Completions come back without a wakeup we could wait for: look again soon. */
		if (w->tx_starved)
			timeout = BUSY_RETRY_MS;
		else
			pfd[1].events |= POLLIN;
		if (w->tx_busy) {
			int t = w->tx_down ? DOWN_RETRY_MS : BUSY_RETRY_MS;

			timeout = t < timeout ? t : timeout;
		}
	}
	n = poll(pfd, 3, timeout);
	if (n < 0)
		return errno == EINTR ? 0 : fail(w, -errno, ctl->ifname, "poll failed");
	if (pfd[0].revents & (POLLERR | POLLNVAL))
		return fail(w, -EIO, ctl->ifname, "the AF_XDP socket reports an error");
	/* A TUN/TAP whose device was deleted polls as an error. */
	if (pfd[1].revents & (POLLERR | POLLNVAL))
		return fail(w, -EBADFD, ctl->devname, "it polls as an error");
	if (pfd[2].revents & POLLIN && read(w->evfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return fail(w, -errno, ctl->ifname, "cannot read the worker's eventfd");
	return 0;
}

/* What IF already delivered goes to the device, then IF sends what it holds (TUN_DRAIN_MS at most). */
static bool drain(void *arg)
{
	struct tun_worker *w = arg;
	long deadline = xb_now_ms() + TUN_DRAIN_MS;
	struct tun_q_stats q;
	int i;

	for (i = 0; i < DRAIN_BATCHES && !xb_load_int(&w->ctl->down[TUN_DEV]); i++)
		if (nic_to_dev(w, w->ctl->batch) <= 0)
			break;
	for (i = 0; i < 10 * TUN_DRAIN_MS; i++) {
		/* The rest of a super-packet being cut: its segments are counted as received. */
		if (w->gso_active && !xb_load_int(&w->ctl->down[TUN_NIC]) && dev_to_nic(w, w->ctl->batch, false) < 0)
			return false;
		if (snapshot(w, &q))
			return false;
		/* Nothing can be sent out of an interface that is down: what waits for it stays counted. */
		if ((!q.in_flight && !w->gso_active) || xb_load_int(&w->ctl->down[TUN_NIC]))
			return true;
		if (xb_now_ms() >= deadline)
			return false;
		w->tx_busy = true;
		if (kick(w))
			return false;
		poll(NULL, 0, 1);	/* the kernel completes what it took */
	}
	return false;
}

/* Both directions once, each unless its egress is down: frames moved, or -errno. */
static int tun_round(void *arg)
{
	struct tun_worker *w = arg;
	const struct tun_ctl *ctl = w->ctl;
	int k, moved = 0;

	if (!xb_load_int(&ctl->down[TUN_DEV])) {
		k = nic_to_dev(w, ctl->batch);
		if (k < 0)
			return k;
		moved += k;
	}
	if (!xb_load_int(&ctl->down[TUN_NIC])) {
		k = dev_to_nic(w, ctl->batch, true);
		if (k < 0)
			return k;
		moved += k;
	}
	return moved;
}

static const struct xb_worker_ops tun_worker_ops = {
	.round = tun_round,
	.idle = idle,
	.drain = drain,
	.publish = publish,
};

static void *worker_main(void *arg)
{
	struct tun_worker *w = arg;

	/* With --no-gro, tun_gro only puts the "nothing to do" header in front of every packet. */
	w->gro.no_tcp = w->gro.no_udp = !w->ctl->gro;
	xb_worker_loop(&tun_worker_ops, w, &w->ctl->stop, &w->ctl->pub_req, &w->pub_done, &w->drained);
	return NULL;
}

/* ---- life cycle ---------------------------------------------------------------- */

int tun_worker_open(struct tun_worker *w, const struct tun_cfg *cfg, int ifindex, int xskmap_fd, char *err,
		    size_t errlen)
{
	struct xdpsock_opts o;
	int ret;

	w->xsk_fd = -1;
	w->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	w->spill = malloc(SPILL_LEN);
	w->bounce = cfg->no_offload ? NULL : malloc(SPILL_LEN + cfg->frame_size);
	if (w->evfd < 0 || !w->spill || (!cfg->no_offload && !w->bounce)) {
		ret = w->evfd < 0 ? -errno : -ENOMEM;
		snprintf(err, errlen, "cannot create the eventfd and buffer of worker %u: %s", w->idx, strerror(-ret));
		goto fail;
	}
	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.frame_size = cfg->frame_size;
	o.frame_count = cfg->frames;
	o.rx_size = o.tx_size = o.fill_size = o.comp_size = cfg->ring;
	o.copy_mode = cfg->copy_mode;
	/* Our program steers (tun_steer.c): the library only inserts the socket into its XSKMAP. */
	o.attach_mode = XDPSOCK_ATTACH_NONE;
	o.xskmap_fd = xskmap_fd;
	ret = xdpsock_pair_create(&w->tx, &w->rx, ifindex, w->queue, &o);
	if (ret) {
		xb_lib_error(ret, &o, cfg->ifname, err, errlen);
		goto fail;
	}
	w->xsk_fd = xdpsock_rx_fd(w->rx);
	w->frame_len = cfg->frame_size;
	tun_gro_init(&w->gro, cfg->kind == TUN_KIND_TAP ? TUN_ETH_HLEN : 0, dev_write, w);
	return 0;

fail:
	tun_worker_close(w);
	return ret;
}

void tun_worker_close(struct tun_worker *w)
{
	xdpsock_tx_destroy(w->tx);
	xdpsock_rx_destroy(w->rx);
	w->tx = NULL;
	w->rx = NULL;
	w->xsk_fd = -1;
	if (w->evfd >= 0)
		close(w->evfd);
	w->evfd = -1;
	free(w->spill);
	free(w->bounce);
	w->spill = NULL;
	w->bounce = NULL;
}

int tun_worker_start(struct tun_worker *w)
{
	char name[16];

	snprintf(name, sizeof(name), "xb-%s-q%u", w->ctl->kind == TUN_KIND_TAP ? "tap" : "tun", w->queue);
	return xb_thread_start(&w->thread, &w->started, w->cpu, name, worker_main, w);
}

void tun_worker_wake(struct tun_worker *w)
{
	xb_wake(w->evfd);
}

void tun_worker_join(struct tun_worker *w)
{
	xb_thread_join(w->thread, &w->started);
}
