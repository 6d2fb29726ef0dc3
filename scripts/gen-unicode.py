#!/usr/bin/env python3
"""gen-unicode.py - generate src/tok/unicode_data.c from the Unicode Character Database.

Usage: scripts/gen-unicode.py [UCD_DIR] > src/tok/unicode_data.c
UCD_DIR defaults to /usr/share/unicode (Debian's `unicode-data` package).
The output is committed; rerun it when the Unicode version changes. The
version is read from PropList.txt's header and recorded in the output.

Tables (all derived, none typed by hand):
  - general category + White_Space bit per code point: two-level table
    (stage1[cp >> 7] -> block, stage2[block][cp & 127]), duplicate blocks shared;
  - age bucket per code point (DerivedAge.txt), same layout: 0 = assigned in
    8.0 or before (or unassigned), 1 = in 9.0, 2 = later. Hugging Face's
    BertNormalizer and BertPreTokenizer take categories from the
    unicode_categories crate (Unicode 8.0) and its normalizers use the
    unicode-normalization crate's Unicode 9.0 tables; plus the
    Unicode 8.0 category of the few characters whose category changed since
    in a way those classes see (CAT_8_0_CHANGES below);
  - canonical combining class: same two-level layout;
  - simple lowercase mapping (UnicodeData field 13): sorted (cp, lower) pairs;
  - grapheme cluster break property (auxiliary/GraphemeBreakProperty.txt) plus
    an Extended_Pictographic bit (emoji/emoji-data.txt), two-level: Hugging
    Face's Precompiled normalizer works grapheme by grapheme;
  - the code points of Rust regex's \w (Alphabetic, M, Nd, Pc, Join_Control)
    that are not L, Nl, M, Nd or Pc already: sorted ranges (Hugging Face's
    single_word test for added tokens);
  - full lowercase mappings longer than one code point (SpecialCasing.txt,
    unconditional ones: what Rust's char::to_lowercase adds): (cp, 3 cps);
  - full canonical (NFD) and compatibility (NFKD) decompositions, recursively
    expanded, Hangul excluded (algorithmic): sorted index into a code point pool;
  - canonical compositions (primary composites, not Full_Composition_Exclusion):
    sorted (first << 21 | second, composite) pairs;
  - normalization quick flags per code point (two-level): 1 = has a canonical
    decomposition, 2 = has a compatibility decomposition, 4 = first of a
    composition, 8 = second of a composition (Hangul included), so the common
    case skips the searches.
"""
import os
import re
import sys

UCD = sys.argv[1] if len(sys.argv) > 1 else '/usr/share/unicode'
BLOCK = 128

# General categories in Unicode 8.0 that differ from today's for P*, Mn or
# Cc/Cf/Co (the classes Hugging Face's BERT components take from the
# unicode_categories crate, Unicode 8.0). Debian ships only the current UCD, so
# this is data from the Unicode release history (UnicodeData.txt 8.0.0), not
# derivable here; tests/js/tok.test.mjs checks every code point assigned in
# 15.0 against Hugging Face, which is how a missing entry would show.
CAT_8_0_CHANGES = {
    0x166D: 'Po',   # CANADIAN SYLLABICS CHI SIGN, So since 12.0
    0x1734: 'Mn',   # HANUNOO SIGN PAMUDPOD, Mc since 14.0
    0x1885: 'Lo',   # MONGOLIAN LETTER ALI GALI BALUDA, Mn since 9.0
    0x1886: 'Lo',   # MONGOLIAN LETTER ALI GALI THREE BALUDA, Mn since 9.0
    0xA9BD: 'Mc',   # JAVANESE CONSONANT SIGN KERET, Mn since 12.0
    0x111C9: 'Po',  # SHARADA SANDHI MARK, Mn since 13.0
}

# grapheme cluster break values, in the order of unicode.h's MN_GCB_*
GCBS = ['Other', 'CR', 'LF', 'Control', 'Extend', 'ZWJ', 'Regional_Indicator', 'Prepend', 'SpacingMark',
        'L', 'V', 'T', 'LV', 'LVT']

CATS = ['Cn', 'Lu', 'Ll', 'Lt', 'Lm', 'Lo', 'Mn', 'Mc', 'Me', 'Nd', 'Nl', 'No',
        'Pc', 'Pd', 'Ps', 'Pe', 'Pi', 'Pf', 'Po', 'Sm', 'Sc', 'Sk', 'So',
        'Zs', 'Zl', 'Zp', 'Cc', 'Cf', 'Cs', 'Co']


def read(name):
    with open(os.path.join(UCD, name), encoding='utf-8') as f:
        return f.read()


def version():
    m = re.search(r'PropList-(\d+\.\d+\.\d+)\.txt', read('PropList.txt'))
    return m.group(1)


def parse_unicode_data():
    cat = [0] * 0x110000
    ccc = [0] * 0x110000
    lower = {}
    decomp = {}   # cp -> (is_compat, [cps])
    first = None
    for line in read('UnicodeData.txt').splitlines():
        f = line.split(';')
        cp = int(f[0], 16)
        c = CATS.index(f[2])
        if f[1].endswith(', First>'):
            first = cp
            continue
        if f[1].endswith(', Last>'):
            for x in range(first, cp + 1):
                cat[x] = c
                ccc[x] = int(f[3])
            continue
        cat[cp] = c
        ccc[cp] = int(f[3])
        if f[5]:
            parts = f[5].split()
            compat = parts[0].startswith('<')
            if compat:
                parts = parts[1:]
            decomp[cp] = (compat, [int(x, 16) for x in parts])
        if f[13]:
            lower[cp] = int(f[13], 16)
    return cat, ccc, lower, decomp


def ranges_where(name, keep):
    """(first, last) ranges of a UCD property file whose value satisfies keep."""
    out = []
    for line in read(name).splitlines():
        line = line.split('#')[0].strip()
        if not line:
            continue
        r, value = [x.strip() for x in line.split(';')[:2]]
        if not keep(value):
            continue
        a, _, b = r.partition('..')
        out.append((int(a, 16), int(b or a, 16)))
    return out


def ranges_of(name, prop):
    return ranges_where(name, lambda v: v == prop)


def ranges_of_age_after(name, ver):
    """Ranges assigned in a Unicode version later than ver (DerivedAge.txt)."""
    return ranges_where(name, lambda v: tuple(int(x) for x in v.split('.')) > ver)


def two_level(values, name, ctype):
    blocks, index, stage1 = [], {}, []
    for b in range(0, 0x110000, BLOCK):
        blk = tuple(values[b:b + BLOCK])
        if blk not in index:
            index[blk] = len(blocks)
            blocks.append(blk)
        stage1.append(index[blk])
    # unicode.h declares stage1 as uint8_t: a larger table needs a header change
    assert len(blocks) <= 256, f'{name}: {len(blocks)} distinct blocks'
    s1type = 'uint8_t'
    out = []
    out.append(f'const {s1type} {name}_stage1[{len(stage1)}] = {{')
    for i in range(0, len(stage1), 16):
        out.append('    ' + ','.join(str(x) for x in stage1[i:i + 16]) + ',')
    out.append('};')
    out.append(f'const {ctype} {name}_stage2[{len(blocks) * BLOCK}] = {{')
    for blk in blocks:
        for i in range(0, BLOCK, 32):
            out.append('    ' + ','.join(str(x) for x in blk[i:i + 32]) + ',')
    out.append('};')
    return out, s1type


def main():
    ver = version()
    cat, ccc, lower, decomp = parse_unicode_data()
    ws = ranges_of('PropList.txt', 'White_Space')
    catws = list(cat)
    for a, b in ws:
        for x in range(a, b + 1):
            catws[x] |= 0x20
    age = [0] * 0x110000
    for a, b in ranges_of_age_after('DerivedAge.txt', (8, 0)):
        for x in range(a, b + 1):
            age[x] = 1
    for a, b in ranges_of_age_after('DerivedAge.txt', (9, 0)):
        for x in range(a, b + 1):
            age[x] = 2
    gcb = [0] * 0x110000
    for k, name in enumerate(GCBS[1:], 1):
        for a, b in ranges_of('auxiliary/GraphemeBreakProperty.txt', name):
            for x in range(a, b + 1):
                gcb[x] = k
    for a, b in ranges_of('emoji/emoji-data.txt', 'Extended_Pictographic'):
        for x in range(a, b + 1):
            gcb[x] |= 0x10
    word_extra = set()
    for a, b in ranges_of('DerivedCoreProperties.txt', 'Alphabetic') + ranges_of('PropList.txt', 'Join_Control'):
        for x in range(a, b + 1):
            if CATS[cat[x]] not in ('Lu', 'Ll', 'Lt', 'Lm', 'Lo', 'Nl', 'Mn', 'Mc', 'Me', 'Nd', 'Pc'):
                word_extra.add(x)
    word_ranges = []
    for x in sorted(word_extra):
        if word_ranges and word_ranges[-1][1] == x - 1:
            word_ranges[-1][1] = x
        else:
            word_ranges.append([x, x])
    special_lower = []
    for line in read('SpecialCasing.txt').splitlines():
        f = [x.strip() for x in line.split('#')[0].split(';')]
        if len(f) < 5 or f[4]:
            continue  # a comment, or a conditional mapping (language or context)
        cp = int(f[0], 16)
        low = [int(x, 16) for x in f[1].split()]
        if len(low) > 1:
            assert len(low) <= 3
            special_lower.append((cp, low + [0] * (3 - len(low))))
    special_lower.sort()
    excl = set()
    for a, b in ranges_of('DerivedNormalizationProps.txt', 'Full_Composition_Exclusion'):
        excl.update(range(a, b + 1))

    def full(cp, compat):
        d = decomp.get(cp)
        if d is None or (d[0] and not compat):
            return [cp]
        out = []
        for x in d[1]:
            out.extend(full(x, compat))
        return out

    # decompositions: entries for code points whose canonical or compat full
    # decomposition differs from themselves
    entries = []
    pool = []
    for cp in sorted(decomp):
        can = full(cp, False)
        com = full(cp, True)
        can_off = len(pool)
        if can != [cp]:
            pool.extend(can)
        else:
            can = []
        com_off = len(pool)
        if com != can and com != [cp]:
            pool.extend(com)
        elif com == can:
            com_off = can_off
        else:
            com = []
        entries.append((cp, can_off, len(can), com_off, len(com)))
    comps = []
    for cp, (compat, parts) in decomp.items():
        if compat or cp in excl or len(parts) != 2:
            continue
        comps.append(((parts[0] << 21) | parts[1], cp))
    comps.sort()
    lowers = sorted(lower.items())
    nq = [0] * 0x110000
    for cp, a, al, b, bl in entries:
        if al:
            nq[cp] |= 1
        if bl:
            nq[cp] |= 2
    for key, _ in comps:
        nq[key >> 21] |= 4
        nq[key & 0x1FFFFF] |= 8
    for x in range(0xAC00, 0xAC00 + 11172):
        nq[x] |= 1 | 2
        if (x - 0xAC00) % 28 == 0:
            nq[x] |= 4   # LV + T
    for x in range(0x1100, 0x1100 + 19):
        nq[x] |= 4
    for x in range(0x1161, 0x1161 + 21):
        nq[x] |= 8
    for x in range(0x11A8, 0x11A7 + 28):
        nq[x] |= 8

    o = []
    o.append('/* GENERATED by scripts/gen-unicode.py from the Unicode Character Database')
    o.append(f' * version {ver} (Debian unicode-data, /usr/share/unicode). Do not edit. */')
    o.append('#include "tok/unicode.h"')
    o.append('')
    o.append(f'const char mn_uc_version_str[] = "{ver}";')
    t, s1 = two_level(catws, 'mn_uc_cat', 'uint8_t')
    o.extend(t)
    t, s1c = two_level(ccc, 'mn_uc_ccc', 'uint8_t')
    o.extend(t)
    t, _ = two_level(nq, 'mn_uc_nq', 'uint8_t')
    o.extend(t)
    t, _ = two_level(age, 'mn_uc_age', 'uint8_t')
    o.extend(t)
    t, _ = two_level(gcb, 'mn_uc_gcb', 'uint8_t')
    o.extend(t)
    o.append(f'const uint32_t mn_uc_cat8_changed_n = {len(CAT_8_0_CHANGES)};')
    o.append('/* cp, general category in Unicode 8.0 (where it differs in a way BERT sees) */')
    o.append(f'const uint32_t mn_uc_cat8_changed[{len(CAT_8_0_CHANGES)}][2] = {{')
    for cp in sorted(CAT_8_0_CHANGES):
        assert cat[cp] != CATS.index(CAT_8_0_CHANGES[cp]), hex(cp)
        o.append(f'    {{0x{cp:X}, {CATS.index(CAT_8_0_CHANGES[cp])}}}, /* {CAT_8_0_CHANGES[cp]}, now {CATS[cat[cp]]} */')
    o.append('};')
    def pair_table(name, pairs, comment=None):
        o.append(f'const uint32_t {name}_n = {len(pairs)};')
        if comment:
            o.append(f'/* {comment} */')
        o.append(f'const uint32_t {name}[{len(pairs)}][2] = {{')
        for i in range(0, len(pairs), 6):
            o.append('    ' + ' '.join(f'{{0x{a:X},0x{b:X}}},' for a, b in pairs[i:i + 6]))
        o.append('};')
    pair_table('mn_uc_lower', lowers)
    pair_table('mn_uc_word_extra', word_ranges,
               'first, last: \\w code points outside L, Nl, M, Nd, Pc (Other_Alphabetic symbols, Join_Control)')
    o.append(f'const uint32_t mn_uc_lower_full_n = {len(special_lower)};')
    o.append('/* cp, then its lowercase (up to 3 code points, 0-padded) */')
    o.append(f'const uint32_t mn_uc_lower_full[{max(len(special_lower), 1)}][4] = {{')
    for cp, low in special_lower:
        o.append('    {' + ','.join(f'0x{x:X}' for x in [cp] + low) + '},')
    o.append('};')
    o.append(f'const uint32_t mn_uc_decomp_n = {len(entries)};')
    o.append('/* cp, canonical offset, canonical length, compat offset, compat length */')
    o.append(f'const uint32_t mn_uc_decomp[{len(entries)}][5] = {{')
    for i in range(0, len(entries), 4):
        o.append('    ' + ' '.join('{0x%X,%d,%d,%d,%d},' % e for e in entries[i:i + 4]))
    o.append('};')
    o.append(f'const uint32_t mn_uc_decomp_pool[{len(pool)}] = {{')
    for i in range(0, len(pool), 12):
        o.append('    ' + ','.join(f'0x{x:X}' for x in pool[i:i + 12]) + ',')
    o.append('};')
    o.append(f'const uint32_t mn_uc_comp_n = {len(comps)};')
    o.append('/* (first << 21 | second), composite */')
    o.append(f'const uint64_t mn_uc_comp[{len(comps)}][2] = {{')
    for i in range(0, len(comps), 4):
        o.append('    ' + ' '.join(f'{{0x{a:X}u,0x{b:X}}},' for a, b in comps[i:i + 4]))
    o.append('};')
    sys.stdout.write('\n'.join(o) + '\n')
    sys.stderr.write(f'unicode {ver}: cat stage1 {s1}, ccc stage1 {s1c}, {len(lowers)} lower, '
                     f'{len(entries)} decomp ({len(pool)} pool), {len(comps)} comp\n')


if __name__ == '__main__':
    main()
