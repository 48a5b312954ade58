/* SPDX-License-Identifier: MIT */
/* CPU features and confidential guests from /proc/cpuinfo (and sysfs). */
#include "cpu.h"

#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "identmap.h"

static int has_flag(const char *flags, size_t len, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = flags; p + n <= flags + len; p++) {
		if ((p == flags || p[-1] == ' ' || p[-1] == '\t') && !strncmp(p, name, n) &&
		    (p + n == flags + len || p[n] == ' ' || p[n] == '\n'))
			return 1;
	}
	return 0;
}

/* The first "flags" line's value, or NULL. */
static const char *flags_line(const char *cpuinfo, size_t *len)
{
	for (const char *line = cpuinfo; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		const char *colon = memchr(line, ':', n);
		if (!strncmp(line, "flags", 5) && colon) {
			*len = n - (size_t)(colon + 1 - line);
			return colon + 1;
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

unsigned baton_cpu_features_parse(const char *cpuinfo)
{
	size_t len;
	const char *flags = flags_line(cpuinfo, &len);
	unsigned features = 0;

	if (flags && has_flag(flags, len, "pdpe1gb"))
		features |= BATON_CPU_GBPAGES;
	if (flags && has_flag(flags, len, "la57"))
		features |= BATON_CPU_LA57;
	return features;
}

/* "tdx_guest" is set by the guest kernel only (a TDX host shows "tdx_host_platform"). The SEV
 * flags are CPUID 0x8000001f bits, which a SEV host lists too (its own support): they mean a
 * guest only with "hypervisor" (CPUID.1:ECX[31]), and a hypervisor shows them to a guest only
 * when it runs that guest encrypted (QEMU zeroes the leaf otherwise). */
enum baton_cc_guest baton_cpu_cc_guest_parse(const char *cpuinfo)
{
	size_t len;
	const char *flags = flags_line(cpuinfo, &len);

	if (!flags)
		return BATON_CC_NONE;
	if (has_flag(flags, len, "tdx_guest"))
		return BATON_CC_TDX;
	if (!has_flag(flags, len, "hypervisor"))
		return BATON_CC_NONE;
	if (has_flag(flags, len, "sev_snp"))
		return BATON_CC_SEV_SNP;
	if (has_flag(flags, len, "sev_es"))
		return BATON_CC_SEV_ES;
	if (has_flag(flags, len, "sev"))
		return BATON_CC_SEV;
	return BATON_CC_NONE;
}

const char *baton_cc_guest_name(enum baton_cc_guest guest)
{
	switch (guest) {
	case BATON_CC_SEV:
		return "an AMD SEV guest";
	case BATON_CC_SEV_ES:
		return "an AMD SEV-ES guest";
	case BATON_CC_SEV_SNP:
		return "an AMD SEV-SNP guest";
	case BATON_CC_TDX:
		return "an Intel TDX guest";
	case BATON_CC_NONE:
		break;
	}
	return "";
}

/* Linux (6.10 on) creates /sys/devices/system/cpu/sev only in an SEV-SNP guest (its ABI:
 * "only present when running as an SEV-SNP guest"): a guest-specific sign that does not depend
 * on the flags a hypervisor chose to show. Nothing comparable exists for TDX or plain SEV; the
 * kernel's "Memory Encryption Features active" line is in dmesg only, not an interface. */
static int sev_snp_sysfs(const char *root)
{
	char path[4096];
	struct stat st;

	return !baton_path(path, sizeof(path), root, "/sys/devices/system/cpu/sev", NULL) &&
	       !stat(path, &st) && S_ISDIR(st.st_mode);
}

int baton_cpu_read(const char *root, struct baton_cpu_info *cpu, struct baton_error *err)
{
	char path[4096];
	struct baton_file f;
	int rc = baton_path(path, sizeof(path), root, "/proc/cpuinfo", err);

	if (rc)
		return rc;
	rc = baton_file_read(&f, path, 64 << 10, NULL);   /* the first "flags" line is near the top */
	if (rc)
		return baton_fail(err, -rc, "cpu: %s: %s", path, strerror(-rc));
	cpu->features = baton_cpu_features_parse((const char *)f.data);
	cpu->cc_guest = baton_cpu_cc_guest_parse((const char *)f.data);
	baton_file_free(&f);
	if (cpu->cc_guest == BATON_CC_NONE && sev_snp_sysfs(root))
		cpu->cc_guest = BATON_CC_SEV_SNP;
	return 0;
}
