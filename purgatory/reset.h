/* SPDX-License-Identifier: MIT */
/* Machine reset: the purgatory's only way out when something is wrong. */
#ifndef BATON_PURGATORY_RESET_H
#define BATON_PURGATORY_RESET_H

__attribute__((noreturn)) void machine_reset(void);

#endif
