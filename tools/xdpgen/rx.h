/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Inside 'xdpgen rx': the --xdp-count mode (rx_count.c), entered once the interface is known. */
#ifndef XDPGEN_RX_H
#define XDPGEN_RX_H

#include "xdpgen.h"

/* Attach the counting program to @ifc, count until @stop says, detach, summarise: an exit status. */
int xg_rx_count(const struct xg_cfg *c, const struct xg_iface *ifc, struct xg_stop *stop);

#endif
