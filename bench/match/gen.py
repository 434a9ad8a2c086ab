#!/usr/bin/env python3
"""Generate labelled synthetic person records for the matching benchmark.

Every name is generated: names are written in a small phonemic code and
rendered the way different sources write them (Armenian script, Russian
practice in Cyrillic, official BGN Latin, diaspora Latin, ISO-like Latin,
Azerbaijani Latin, Latin transliterated from the Russian form), with
families of siblings (same surname, father and birthplace), namesakes,
several date formats, capitalisation, typos and missing fields.

Usage: gen.py N OUT.csv [SEED]     columns: id,given,family,patronymic,
birth_date,birth_place,sex,person   (person = truth, one per real person)

What the records look like (the knobs are below in the code):
- families of 1-4 siblings (same surname, father, birthplace; distinct
  given names; born within 12 years); surnames: 35% from 45 common stems
  (Zipf 0.7: the top one about 4% of people), 65% from a long synthetic tail;
  given names Zipf 0.7 over data/names.tsv's 136 male and 132 female (below);
- each person written 1-4 times (geometric), each time by a source with its
  own script and romanisation (Armenian 22%, Russian 22%, Latin from Russian
  12%, BGN 22%, diaspora -ian 9%, ISO-like 6%, Azerbaijani Latin 7%);
- father's name given by 85-90% of Armenian/Russian sources, 30-60% of
  Latin ones, as Gevorgi / Геворкович / Gevorg; initials only in 8% of
  Latin sources; 30% upper case; 3% given/family swapped;
- birth date missing in 10%; else 12.05.1965 / 1965-05-12 / 05/12/1965 /
  1965 / 1965-05; 4% one year off, 2% another day;
- typos: 5% in the family name, 4% in the given name; birth place missing
  in 30%, in the source's language otherwise; sex missing in 20%.

Names and places come from the files the product ships (data/, see
data/SOURCES.md: names only, no persons):
- given names: the 136 male and 132 female given names of data/names.tsv,
  in its order (roughly more to less common), Zipf 0.7; each is turned from
  its Armenian spelling into the phonemic code below and rendered like
  every other name. Until 2026-11 the generator used a hand list of 54 male
  and 34 female names, fewer than the region's real stock (Soviet-era
  Russian names such as Robert, Sergey, Svetlana were common there), which
  made same-named strangers more frequent than they are. The father's name
  is drawn from the same male stock.
- birth places: the 152 settlements of data/gazetteer.tsv (the region's
  towns and villages and the towns of Armenia), weighted as the population
  lived: Stepanakert 40% (about 37% of the region in the 2015 census; the
  brief's "about half" is where people lived at the end, births spread
  over older generations born in villages), the other 13 towns of the
  region 15% together, its 88 villages 35% together (evenly: the gazetteer
  has no populations), Armenia 10% (Yerevan 4%, its other 49 settlements
  6%). Until 2026-11 births were spread evenly over 12 places, 5 of them
  in Armenia, which no population of the region looked like. Missingness
  and the language of the written form are unchanged; Azerbaijani sources
  use the gazetteer's Azerbaijani name (its English one where it has none).
  Not changed: missingness, typos, scripts, swaps, surnames, namesakes.
- Russian-language records (Cyrillic, and Latin made from it) write 90% of
  given names, the person's and the father's in the patronymic, in their
  Russian form from data/names.tsv (Давид, Грант, Гамлет, Михаил, Юрий,
  Татьяна; patronymics Юрьевич, Григорьевна), the rest letter by letter
  from the Armenian spelling. Until 2026-11 all were rendered letter by
  letter (Давит, Рант, Амлет, Микайел, Юри, Татяна): 48 of the 268 names
  came out in forms no Russian-language list uses.
"""
import csv
import os
import random
import sys

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'data')

# phoneme code -> (Armenian lower, BGN Latin, Russian, ISO-like Latin, Azerbaijani Latin)
PH = {
    'a': ('ա', 'a', 'а', 'a', 'a'), 'b': ('բ', 'b', 'б', 'b', 'b'),
    'g': ('գ', 'g', 'г', 'g', 'q'), 'd': ('դ', 'd', 'д', 'd', 'd'),
    'e': ('ե', 'e', 'е', 'e', 'e'), 'z': ('զ', 'z', 'з', 'z', 'z'),
    'E': ('է', 'e', 'э', 'e', 'e'), 'T': ('թ', "t'", 'т', 't', 't'),
    'J': ('ժ', 'zh', 'ж', 'ž', 'j'), 'i': ('ի', 'i', 'и', 'i', 'i'),
    'l': ('լ', 'l', 'л', 'l', 'l'), 'X': ('խ', 'kh', 'х', 'x', 'x'),
    'C': ('ծ', 'ts', 'ц', 'c', 'ts'), 'k': ('կ', 'k', 'к', 'k', 'k'),
    'h': ('հ', 'h', 'г', 'h', 'h'), 'Z': ('ձ', 'dz', 'дз', 'j', 'dz'),
    'G': ('ղ', 'gh', 'г', 'gh', 'ğ'), 'c': ('ճ', 'ch', 'ч', 'č', 'ç'),
    'm': ('մ', 'm', 'м', 'm', 'm'), 'y': ('յ', 'y', 'й', 'y', 'y'),
    'n': ('ն', 'n', 'н', 'n', 'n'), 'S': ('շ', 'sh', 'ш', 'š', 'ş'),
    'o': ('ո', 'o', 'о', 'o', 'o'), '7': ('չ', "ch'", 'ч', 'č', 'ç'),
    'p': ('պ', 'p', 'п', 'p', 'p'), 'j': ('ջ', 'j', 'дж', 'ǰ', 'c'),
    'R': ('ռ', 'r', 'р', 'r', 'r'), 's': ('ս', 's', 'с', 's', 's'),
    'v': ('վ', 'v', 'в', 'v', 'v'), 't': ('տ', 't', 'т', 't', 't'),
    'r': ('ր', 'r', 'р', 'r', 'r'), '3': ('ց', "ts'", 'ц', 'c', 'ts'),
    'u': ('ու', 'u', 'у', 'u', 'u'), 'P': ('փ', "p'", 'п', 'p', 'p'),
    'q': ('ք', "k'", 'к', 'k', 'k'), 'f': ('ֆ', 'f', 'ф', 'f', 'f'),
    'O': ('օ', 'o', 'о', 'o', 'o'), 'V': ('և', 'ev', 'ев', 'ev', 'ev'),
}
VOWELS = set('aeEiouOV')



def arm_code(word):
    """Phonemic code of an Armenian-script word (the inverse of render_hy)."""
    rev = {}
    for code, forms in PH.items():
        rev.setdefault(forms[0], code)
    w = word[:1].lower() + word[1:]
    w = ''.join(chr(ord(ch) + 0x30) if 'Ա' <= ch <= 'Ֆ' else ch for ch in w)
    out, i = '', 0
    while i < len(w):
        if w[i:i + 2] == 'ու':
            out += 'u'
            i += 2
        else:
            out += rev[w[i]]
            i += 1
    return out


def given_names(sex):
    """The given names of data/names.tsv for sex ('m' or 'f'), as codes, in
    the file's order (roughly more to less common)."""
    out = []
    with open(os.path.join(DATA, 'names.tsv'), encoding='utf-8') as fh:
        for row in csv.DictReader(fh, delimiter='\t'):
            if row['kind'] == 'given' and row['sex'] == sex and row['hy']:
                out.append(arm_code(row['hy']))
    return out


MALE = given_names('m')
FEMALE = given_names('f')


def russian_given():
    """code -> the Russian form of a given name in data/names.tsv (Давид,
    Грант, Гамлет, Юрий, Татьяна, Ольга): what a Russian-language list
    writes, and what no letter-by-letter rendering of the Armenian spelling
    gives (Давит, Рант, Амлет, Юри, Татяна, Олга)."""
    out = {}
    with open(os.path.join(DATA, 'names.tsv'), encoding='utf-8') as fh:
        for row in csv.DictReader(fh, delimiter='\t'):
            if row['kind'] == 'given' and row['hy'] and row['ru']:
                out.setdefault(arm_code(row['hy']), row['ru'])
    return out


RU_GIVEN = russian_given()
# Share of Russian-language records that write a given name (the person's
# or the father's, in the patronymic) in its Russian form; the others
# render the Armenian spelling letter by letter, as a clerk copying from
# an Armenian document might.
RU_GIVEN_SHARE = 0.9
# Common surname stems (+ "yan"), most common first; Russian override where
# Russian practice is not a letter-by-letter rendering.
FAMILY = [('petros', None), ('harutyun', None), ('sargs', 'Саркис'), ('hovhannis', 'Оганес'),
          ('Xa7atr', None), ('grigor', None), ('gevorg', None), ('hakob', 'Акоп'),
          ('karapet', None), ('mkrt7', None), ('Gazar', None), ('stePan', None),
          ('avetis', None), ('babay', None), ('hayrapet', None), ('eGiazar', None),
          ('martiros', None), ('poGos', None), ('nersis', None), ('simon', None),
          ('minas', None), ('manuk', None), ('oskan', None), ('davT', 'Давт'), ('avag', None),
          ('sahak', 'Саак'), ('galust', None), ('tovmas', None), ('hambarZum', None),
          ('zaqar', None), ('meliq', None), ('darbin', None), ('arakel', None),
          ('abraham', None), ('balas', None), ('danieG', None), ('tonoy', None),
          ('mXitar', None), ('melqonyan', None), ('asatr', None), ('aloy', None),
          ('movsis', None), ('galstyan', None), ('bagdasar', None), ('safar', None)]
FAMILY = [(s.replace('yan', ''), r) for s, r in FAMILY]
ARMENIA = {'Aragatsotn', 'Ararat', 'Armavir', 'Gegharkunik', 'Kotayk', 'Lori', 'Shirak',
           'Syunik', 'Tavush', 'Vayots Dzor', 'Yerevan'}


def places():
    """(forms, weights): forms (hy, ru, en, az) of every settlement of
    data/gazetteer.tsv and the share of births in it (see the docstring)."""
    rows = []
    with open(os.path.join(DATA, 'gazetteer.tsv'), encoding='utf-8') as fh:
        for row in csv.DictReader(fh, delimiter='\t'):
            rows.append(row)
    groups = {'capital': [], 'town': [], 'village': [], 'yerevan': [], 'armenia': []}
    for row in rows:
        if row['id'] == 'stepanakert':
            g = 'capital'
        elif row['admin_hy_region'] == 'Yerevan':
            g = 'yerevan'
        elif row['admin_hy_region'] in ARMENIA:
            g = 'armenia'
        elif row['kind'] in ('city', 'town'):
            g = 'town'
        else:
            g = 'village'
        # The gazetteer has no Azerbaijani name for most towns of Armenia
        # ('-'): Azerbaijani sources write those in Latin as they are.
        az = row['az'] if row['az'] not in ('', '-') else row['en']
        groups[g].append((row['hy'], row['ru'], row['en'], az))
    share = {'capital': 0.40, 'town': 0.15, 'village': 0.35, 'yerevan': 0.04, 'armenia': 0.06}
    forms, weights = [], []
    for g, members in groups.items():
        for f in members:
            forms.append(f)
            weights.append(share[g] / len(members))
    return forms, weights


PLACES, PLACE_W = places()
PLACE_CUM = []
for _w in PLACE_W:
    PLACE_CUM.append((PLACE_CUM[-1] if PLACE_CUM else 0.0) + _w)
SYL_C = 'bgdzTJlXCkhZGcmynSo7pjsvtr3Pq'
SYL_V = 'aeiou'


def arm_upper(s):
    return ''.join(chr(ord(ch) - 0x30) if 'ա' <= ch <= 'ֆ' else ch for ch in s[:1]) + s[1:]


def render_hy(code):
    out = []
    for i, p in enumerate(code):
        out.append(PH[p][0])
    return arm_upper(''.join(out))


def render_bgn(code, apostrophes=False):
    out = []
    for i, p in enumerate(code):
        s = PH[p][1]
        if i == 0 and p == 'e':
            s = 'ye'
        elif i == 0 and p == 'o':
            s = 'vo'
        elif i == 0 and p == 'V':
            s = 'yev'
        if not apostrophes:
            s = s.replace("'", '')
        out.append(s)
    return ''.join(out)


def render_ru(code, rnd):
    out = []
    n = len(code)
    i = 0
    while i < n:
        p = code[i]
        nxt = code[i + 1] if i + 1 < n else ''
        if p == 'h' and i == 0:
            i += 1
            continue
        if p == 'v' and nxt == 'h':
            out.append('г')
            i += 2
            continue
        if p == 'y' and nxt == 'a':
            out.append('я')
            i += 2
            continue
        if p == 'y' and nxt == 'u':
            out.append('ю')
            i += 2
            continue
        if p == 'o' and i == 0:
            out.append('во')
        elif p in 'eE' and i == 0:
            out.append('е' if p == 'e' else 'э')
        elif p == 'E':
            out.append('е')
        elif p == 'g' and i == n - 1 and rnd.random() < 0.6:
            out.append('к')
        elif p == 'b' and i == n - 1 and rnd.random() < 0.6:
            out.append('п')
        elif p == nxt and p in 'nR' and rnd.random() < 0.7:
            pass
        else:
            out.append(PH[p][2])
        i += 1
    s = ''.join(out)
    return s[:1].upper() + s[1:]


RU_LAT = {'а': 'a', 'б': 'b', 'в': 'v', 'г': 'g', 'д': 'd', 'е': 'e', 'ё': 'yo', 'ж': 'zh',
          'з': 'z', 'и': 'i', 'й': 'y', 'к': 'k', 'л': 'l', 'м': 'm', 'н': 'n', 'о': 'o',
          'п': 'p', 'р': 'r', 'с': 's', 'т': 't', 'у': 'u', 'ф': 'f', 'х': 'kh', 'ц': 'ts',
          'ч': 'ch', 'ш': 'sh', 'щ': 'shch', 'ы': 'y', 'э': 'e', 'ю': 'yu', 'я': 'ya', 'ь': '',
          'ъ': ''}


def ru_to_latin(s, rnd):
    out = []
    for ch in s.lower():
        t = RU_LAT.get(ch, ch)
        if ch == 'я' and rnd.random() < 0.3:
            t = 'ia'
        if ch == 'х' and rnd.random() < 0.3:
            t = 'h'
        out.append(t)
    return ''.join(out)


def render_diaspora(code, rnd):
    s = render_bgn(code)
    if rnd.random() < 0.5:
        s = s.replace('u', 'ou')
    if rnd.random() < 0.5:
        s = s.replace('b', 'p') if rnd.random() < 0.5 else s.replace('g', 'k')
    return s


def render_iso(code):
    s = ''.join(PH[p][3] for p in code)
    return s.replace('ž', 'zh').replace('š', 'sh').replace('č', 'ch').replace('ǰ', 'j')


def render_az(code):
    out = []
    for i, p in enumerate(code):
        if p == 'h' and i == 0:
            continue
        out.append(PH[p][4])
    return ''.join(out)


SUFFIX = {'hy': 'յան', 'bgn': 'yan', 'dia': 'ian', 'iso': 'yan', 'az': 'yan'}


def name_forms(code, style, rnd, family=False, ru_override=None):
    """Written form of a phonemic name in a source style."""
    if style == 'hy':
        s = render_hy(code) + ('յան' if family else '')
    elif style in ('ru', 'rulat'):
        base = ru_override if ru_override else render_ru(code, rnd)
        s = base + ('ян' if family else '')
        if style == 'rulat':
            s = ru_to_latin(s, rnd)
            s = s[:1].upper() + s[1:]
    elif style == 'bgn':
        s = render_bgn(code, apostrophes=rnd.random() < 0.2) + ('yan' if family else '')
        s = s[:1].upper() + s[1:]
    elif style == 'dia':
        s = render_diaspora(code, rnd) + ('ian' if family else '')
        s = s[:1].upper() + s[1:]
    elif style == 'iso':
        s = render_iso(code) + ('yan' if family else '')
        s = s[:1].upper() + s[1:]
    else:
        s = render_az(code) + ('yan' if family else '')
        s = s[:1].upper() + s[1:]
    return s


def patronymic(fcode, style, sex, rnd):
    if style == 'hy':
        return render_hy(fcode) + 'ի'
    if style in ('ru', 'rulat'):
        base = render_ru(fcode, rnd)
        if fcode in RU_GIVEN and rnd.random() < RU_GIVEN_SHARE:
            base = RU_GIVEN[fcode]
        if base.endswith('ий'):  # Юрий -> Юрьевич, Григорий -> Григорьевна
            suf = 'ьевич' if sex == 'm' else 'ьевна'
            base = base[:-2]
        elif base.endswith('й'):
            suf = 'евич' if sex == 'm' else 'евна'
            base = base[:-1]
        elif base[-1] in 'аеиоуэяю':
            suf = 'вич' if sex == 'm' else 'вна'
        else:
            suf = 'ович' if sex == 'm' else 'овна'
        s = base + suf
        return ru_to_latin(s, rnd).capitalize() if style == 'rulat' else s
    plain = name_forms(fcode, style, rnd)
    return plain + 'i' if rnd.random() < 0.4 else plain


def typo(s, rnd):
    if len(s) < 4:
        return s
    i = rnd.randrange(1, len(s) - 1)
    k = rnd.random()
    if k < 0.33:
        return s[:i] + s[i + 1:]
    if k < 0.66:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    return s[:i] + rnd.choice(s) + s[i + 1:]


def fmt_date(y, m, d, rnd):
    k = rnd.random()
    if k < 0.3:
        return '%02d.%02d.%04d' % (d, m, y)
    if k < 0.6:
        return '%04d-%02d-%02d' % (y, m, d)
    if k < 0.75:
        return '%02d/%02d/%04d' % (m, d, y)
    if k < 0.9:
        return '%04d' % y
    return '%04d-%02d' % (y, m)


def zipf_pick(rnd, items, cum):
    x = rnd.random() * cum[-1]
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return items[lo]


def cumulative(n, s):
    c, t = [], 0.0
    for i in range(n):
        t += 1.0 / (i + 1) ** s
        c.append(t)
    return c


def synth_stem(rnd):
    k = rnd.choice((2, 2, 3))
    out = ''
    for j in range(k):
        out += rnd.choice(SYL_C) + rnd.choice(SYL_V)
        if rnd.random() < 0.4:
            out += rnd.choice('nrlsmk')
    return out


STYLES = ['hy', 'ru', 'rulat', 'bgn', 'dia', 'iso', 'az']
STYLE_W = [0.22, 0.22, 0.12, 0.22, 0.09, 0.06, 0.07]
PATRONYMIC = {'hy': 0.85, 'ru': 0.9, 'rulat': 0.6, 'bgn': 0.3, 'dia': 0.3, 'iso': 0.3, 'az': 0.3}


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
    tail = [(synth_stem(rnd), None) for _ in range(max(200, n // 50))]
    fam_cum = cumulative(len(FAMILY), 0.7)
    m_cum = cumulative(len(MALE), 0.7)
    f_cum = cumulative(len(FEMALE), 0.7)
    def family():
        """1-4 siblings sharing surname, father and birthplace."""
        # The most common surname is about 4% of people, the ten most common
        # about 16%, as in Armenian registers; the rest is a long tail.
        fam = zipf_pick(rnd, FAMILY, fam_cum) if rnd.random() < 0.35 else rnd.choice(tail)
        father = zipf_pick(rnd, MALE, m_cum)
        place = zipf_pick(rnd, range(len(PLACES)), PLACE_CUM)
        base_year = rnd.randrange(1935, 2015)
        out = []
        names = set()
        for _ in range(rnd.choice((1, 1, 2, 2, 3, 4))):
            sex = rnd.choice('mf')
            given = zipf_pick(rnd, MALE, m_cum) if sex == 'm' else zipf_pick(rnd, FEMALE, f_cum)
            if given in names:  # parents do not give two children one name
                continue
            names.add(given)
            y = base_year + rnd.randrange(0, 12)
            out.append((fam, given, father, place, sex, y, rnd.randrange(1, 13),
                        rnd.randrange(1, 29)))
        return out

    def persons_forever():
        while True:
            for p in family():
                yield p

    rows = []
    pid = 0
    for p in persons_forever():
        if len(rows) >= n:
            break
        fam, given, father, place, sex, y, m, d = p
        nrec = 1 + min(3, int(rnd.expovariate(0.9)))
        for _ in range(nrec):
            style = rnd.choices(STYLES, STYLE_W)[0]
            ru_g = None
            if style in ('ru', 'rulat') and rnd.random() < RU_GIVEN_SHARE:
                ru_g = RU_GIVEN.get(given)
            g = name_forms(given, style, rnd, ru_override=ru_g)
            f = name_forms(fam[0], style, rnd, family=True, ru_override=fam[1])
            # Armenian and Russian-language forms nearly always carry the
            # father's name; passports and Latin lists seldom do.
            pat = patronymic(father, style, sex, rnd) if rnd.random() < PATRONYMIC[style] else ''
            if style not in ('hy', 'ru') and rnd.random() < 0.08:
                g = g[0] + '.'
            if rnd.random() < 0.05:
                f = typo(f, rnd)
            if rnd.random() < 0.04:
                g = typo(g, rnd)
            k = rnd.random()
            if k < 0.10:
                bd = ''
            else:
                yy, mm, dd = y, m, d
                if rnd.random() < 0.04:
                    yy += rnd.choice((-1, 1))
                if rnd.random() < 0.02:
                    dd = rnd.randrange(1, 29)
                bd = fmt_date(yy, mm, dd, rnd)
            pl = ''
            if rnd.random() < 0.7:
                forms = PLACES[place]
                pl = forms[{'hy': 0, 'ru': 1, 'rulat': 2, 'bgn': 2, 'dia': 2, 'iso': 2,
                            'az': 3}[style]]
            sx = ''
            if rnd.random() < 0.8:
                sx = {'hy': {'m': 'արական', 'f': 'իգական'}, 'ru': {'m': 'м', 'f': 'ж'}}.get(
                    style, {'m': 'M', 'f': 'F'})[sex]
            if style != 'hy' and rnd.random() < 0.3:
                f = f.upper()
                g = g.upper()
            if rnd.random() < 0.03:
                g, f = f, g
            rows.append((g, f, pat, bd, pl, sx, pid))
            if len(rows) >= n:
                break
        pid += 1
    rnd.shuffle(rows)
    with open(out, 'w', newline='', encoding='utf-8') as fh:
        w = csv.writer(fh)
        w.writerow(['id', 'given', 'family', 'patronymic', 'birth_date', 'birth_place', 'sex',
                    'person'])
        for i, r in enumerate(rows):
            w.writerow(['r%d' % (i + 1)] + list(r[:6]) + ['p%d' % r[6]])


if __name__ == '__main__':
    main()
