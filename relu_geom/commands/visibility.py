"""``relu-geom visibility NET [--box LO HI] [--json]``: visibility of first-layer hyperplanes."""

from __future__ import annotations

import argparse

from relu_geom.commands._common import (
    add_box_option,
    add_json_option,
    add_network_argument,
    emit_json,
    parse_box,
    read_network,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "visibility",
        help="which first-layer hyperplanes carry bent facets of f",
        description="For each first-layer neuron: visible, partial, invisible; Theorem-2 certificates.",
    )
    add_network_argument(p)
    add_box_option(p)
    add_json_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from relu_geom.analyses.breakpoints.visibility import first_layer_visibility

    net = read_network(args.net)
    vis = first_layer_visibility(net, domain=parse_box(args))
    if args.json:
        emit_json({"architecture": list(net.architecture), "neurons": [v.to_dict() for v in vis]})
        return 0
    for v in vis:
        line = f"neuron {v.neuron}: {v.status} ({len(v.visible_facets)} bent, {len(v.hidden_facets)} unbent facets)"
        if v.certificate is not None:
            x = ", ".join(str(c) for c in v.certificate[0])
            line += f"; certificate x = ({x}), second-layer neuron {v.certificate[1]}"
        print(line)
    return 0
