#!/usr/bin/env python3
"""Pairwise precision, recall and F1 of predicted pairs against the truth.

Usage: eval.py TRUTH.csv PAIRS.csv [LABEL]
TRUTH.csv has columns id and person (as written by gen.py); PAIRS.csv has
id_l,id_r (further columns ignored). Prints the scores of the pairs as
given and of their transitive closure (connected components).
"""
import csv
import sys
from collections import defaultdict


def main():
    truth, pairs_path = sys.argv[1], sys.argv[2]
    label = sys.argv[3] if len(sys.argv) > 3 else 'pairs'
    person = {}
    with open(truth, newline='', encoding='utf-8') as fh:
        for row in csv.DictReader(fh):
            person[row['id']] = row['person']
    size = defaultdict(int)
    for p in person.values():
        size[p] += 1
    true_pairs = sum(n * (n - 1) // 2 for n in size.values())
    pred = set()
    with open(pairs_path, newline='', encoding='utf-8') as fh:
        r = csv.reader(fh)
        next(r, None)
        for row in r:
            a, b = row[0], row[1]
            if a != b:
                pred.add((a, b) if a < b else (b, a))
    tp = sum(1 for a, b in pred if person.get(a) == person.get(b))
    report(label, tp, len(pred), true_pairs)
    # Transitive closure.
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for a, b in pred:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    groups = defaultdict(list)
    for x in list(parent):
        groups[find(x)].append(x)
    ptp = pn = 0
    for g in groups.values():
        by = defaultdict(int)
        for x in g:
            by[person.get(x)] += 1
        pn += len(g) * (len(g) - 1) // 2
        ptp += sum(n * (n - 1) // 2 for n in by.values())
    report(label + ' (closure)', ptp, pn, true_pairs)


def report(label, tp, npred, ntrue):
    p = tp / npred if npred else 0.0
    r = tp / ntrue if ntrue else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print('%-28s precision %.4f recall %.4f F1 %.4f (%d predicted, %d true pairs)'
          % (label, p, r, f, npred, ntrue))


if __name__ == '__main__':
    main()
