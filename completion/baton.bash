# SPDX-License-Identifier: MIT
# bash completion for baton(8), also installed as kexec(8) and vmcore-dmesg(8) when baton
# replaces kexec-tools.
#
# Options are those of cli/options.c: tests/cli/test_completion.py checks that every option of
# `baton --help` and of the option table is offered (not the kexec-tools options baton refuses).
# KERNEL (--vmcore-dmesg's FILE), --initrd/--ramdisk, --dtb and --module (its FILE) complete
# file names, in the --opt=FILE and the --opt FILE form; vmcore-dmesg takes one file and no options;
# nothing is offered after --help or --version.
# Works with and without the bash-completion package (its _filedir is used when loaded).

_baton_short_opts='-l -p -e -f -u -S -s -c -a -d -h -v -x -y -i -t'
_baton_long_opts='--load --load-panic --exec --force --unload --status --kexec-file-syscall
--kexec-syscall --kexec-syscall-auto --initrd= --ramdisk= --module= --command-line= --append=
--reuse-cmdline --entry-32bit --real-mode --entry= --args-linux --args-elf --args-none --console-serial --serial=
--serial-baud= --console-vga --console-fb --reset-vga --dry-run --report --json
--debug --help --version --no-ifdown --no-sync --no-checks --type= --elf64-core-headers
--elf32-core-headers --mem-min= --mem-max= --reuse-initrd --reuseinitrd --reuse-video-type
--print-ckr-size --pass-memmap-cmdline --dtb= --force-dtb --noefi --hotplug --no-hotplug --kexec-compat --vmcore-dmesg'

# File names matching $1 into COMPREPLY, each prefixed with $2 (the "--initrd=" of a word that
# was not split at '=').
_baton_files()
{
	local cur=$1 prefix=$2 f IFS=$'\n'
	COMPREPLY=()
	if [[ -z $prefix ]] && declare -F _filedir >/dev/null; then
		_filedir
		return
	fi
	compopt -o filenames 2>/dev/null
	for f in $(compgen -f -- "$cur"); do
		if [[ -n $prefix ]]; then
			# Not completed as a file name by bash: quote and mark directories here.
			[[ -d $f ]] && f+=/
			printf -v f %q "$f"
		fi
		COMPREPLY+=("$prefix$f")
	done
	if [[ -n $prefix ]]; then
		compopt -o nospace 2>/dev/null
	fi
}

# Completion of the value of option $1 ("" when $1 is not an option that takes one). Returns 1
# when $1 takes no value.
_baton_value()
{
	local opt=$1 cur=$2 prefix=$3 IFS=$' \t\n'
	case $opt in
	--initrd | --ramdisk | --module | --dtb)
		_baton_files "$cur" "$prefix"
		;;
	--command-line | --append | --mem-min | --mem-max | --entry)
		COMPREPLY=()
		;;
	--serial)
		COMPREPLY=($(compgen -P "$prefix" -W '0x3f8 0x2f8 0x3e8 0x2e8' -- "$cur"))
		;;
	--serial-baud)
		COMPREPLY=($(compgen -P "$prefix" -W '115200 57600 38400 19200 9600' -- "$cur"))
		;;
	--type | -t)
		COMPREPLY=($(compgen -P "$prefix" -W 'bzImage bzImage64 uki multiboot2-x86 multiboot-x86 elf-x86_64' -- "$cur"))
		;;
	*)
		return 1
		;;
	esac
	return 0
}

_baton()
{
	local cur prev opt= i w nargs=0 IFS=$' \t\n'
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}

	# As kexec-tools' vmcore-dmesg: the dump, one file.
	if [[ ${COMP_WORDS[0]##*/} == vmcore-dmesg ]]; then
		((COMP_CWORD == 1)) && _baton_files "$cur" ""
		return 0
	fi

	# What came before: --help/--version end the command line; count the KERNEL arguments.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--help | --version | -[!-]*[hv]* | -[hv]*)
			return 0
			;;
		--initrd | --ramdisk | --module | --command-line | --append | --entry | --serial | \
			--serial-baud | --type | -t)
			# The value follows, split off at '=' (COMP_WORDBREAKS) or as the next word.
			if [[ ${COMP_WORDS[i + 1]} == = ]]; then
				((i += 2))
			else
				((i += 1))
			fi
			;;
		--)
			((nargs += COMP_CWORD - i - 1))
			break
			;;
		-*) ;;
		*)
			((nargs++))
			;;
		esac
	done

	# The value of an option: bash splits "--initrd=FILE" into "--initrd" "=" "FILE" (and
	# "--initrd=" into "--initrd" "="); "--initrd FILE"; or one word "--initrd=FILE" when '='
	# is not in COMP_WORDBREAKS.
	if [[ $cur == = ]]; then
		_baton_value "$prev" "" "" && return 0
		return 0
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		_baton_value "${COMP_WORDS[COMP_CWORD - 2]}" "$cur" "" && return 0
		return 0
	elif [[ $prev == --* && $prev != *=* || $prev == -t ]]; then
		_baton_value "$prev" "$cur" "" && return 0
	fi
	if [[ $cur == --*=* ]]; then
		_baton_value "${cur%%=*}" "${cur#*=}" "${cur%%=*}=" || COMPREPLY=()
		return 0
	fi

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$_baton_short_opts $_baton_long_opts" -- "$cur"))
		if [[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *= ]]; then
			compopt -o nospace 2>/dev/null
		fi
		return 0
	fi

	# KERNEL: one file; after it, nothing but options (on "-").
	if ((nargs == 0)); then
		_baton_files "$cur" ""
	fi
	return 0
}

complete -F _baton baton kexec vmcore-dmesg
