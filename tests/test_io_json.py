"""Tests of relu_geom.io.json_format: the exact JSON network format and exact JSON numbers."""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom import io as rio
from relu_geom.errors import (
    DimensionMismatchError,
    FileFormatError,
    InvalidInputError,
    UnsupportedInputError,
)
from relu_geom.io import json_format
from tests.io_cases import DATA, FAST, GOLDEN, HAND, architectures, listing


# ---------------------------------------------------------------------------
# dict and JSON
# ---------------------------------------------------------------------------
class TestJSON:
    def test_golden_file_reads_to_the_hand_written_network(self):
        net = rio.network_from_json(DATA / "network_v1.json")
        assert net == GOLDEN
        # outputs computed by hand
        assert net([3, 3]) == (F(-37, 21),)
        assert net([0, 0]) == (F(23, 21),)

    def test_writer_reproduces_the_golden_file_byte_for_byte(self):
        assert rio.network_to_json(GOLDEN) == (DATA / "network_v1.json").read_text()

    def test_to_dict_is_the_versioned_format(self):
        d = rio.network_to_dict(GOLDEN)
        assert d == json.loads((DATA / "network_v1.json").read_text())
        assert d == GOLDEN.to_dict()

    @FAST
    @given(architectures(), st.integers(0, 10**6))
    def test_json_round_trip_of_random_networks(self, arch, seed):
        net = rg.ReLUNetwork.random(arch, seed=seed, max_denominator=9)
        text = rio.network_to_json(net)
        assert rio.network_from_json(text) == net
        assert rio.network_from_dict(json.loads(text)) == net
        assert rio.network_to_json(net) == text  # deterministic

    def test_round_trip_of_huge_rationals(self):
        big = F(2**200 + 1, 3**90)
        net = rg.ReLUNetwork([[[big, -big]]], [[F(1, 10**40)]])
        assert rio.network_from_json(rio.network_to_json(net)) == net

    def test_file_round_trip_and_returned_text(self, tmp_path):
        path = tmp_path / "net.json"
        text = rio.network_to_json(HAND, path)
        assert path.read_text() == text
        assert rio.network_from_json(path) == HAND
        assert rio.network_from_json(str(path)) == HAND
        assert listing(tmp_path) == ["net.json"]

    def test_methods_on_the_class_delegate(self, tmp_path):
        path = tmp_path / "net.json"
        text = HAND.to_json(path)
        assert rg.ReLUNetwork.from_json(path) == HAND
        assert rg.ReLUNetwork.from_json(text) == HAND
        assert rg.ReLUNetwork.from_dict(HAND.to_dict()) == HAND
        assert rg.ReLUNetwork.load(path) == HAND

    def test_plain_format_and_exact_outputs(self):
        net = rio.network_from_dict({"weights": [[[1, -1], [1, 1]], [[1, 1]]], "biases": [[0, "-1/2"], [0]]})
        assert net == HAND
        assert net([1, 0]) == (F(3, 2),)
        assert net([-1, 2]) == (F(1, 2),)
        assert net([2, 1]) == (F(7, 2),)
        assert net([0, 0]) == (F(0),)

    def test_floats_are_read_as_their_exact_binary_value(self):
        net = rio.network_from_json('{"weights": [[[0.1]]], "biases": [[0.5]]}')
        assert net.weights[0][0][0] == F(3602879701896397, 36028797018963968)
        assert net.weights[0][0][0] != F(1, 10)
        assert net.biases[0][0] == F(1, 2)

    def test_decimal_strings_are_exact_decimals(self):
        net = rio.network_from_dict({"weights": [[["0.1", "1e-3"]]], "biases": [["-2.5"]]})
        assert net.weights[0][0] == (F(1, 10), F(1, 1000))
        assert net.biases[0] == (F(-5, 2),)

    def test_architecture_is_checked(self):
        d = HAND.to_dict()
        d["architecture"] = [2, 3, 1]
        with pytest.raises(
            DimensionMismatchError, match=r"architecture: declared as \[2, 3, 1\].*\[2, 2, 1\]"
        ):
            rio.network_from_dict(d)
        d["architecture"] = "2-2-1"
        with pytest.raises(InvalidInputError, match="architecture: expected a list of integer widths"):
            rio.network_from_dict(d)
        d["architecture"] = [2, True, 1]
        with pytest.raises(InvalidInputError, match="architecture"):
            rio.network_from_dict(d)

    @pytest.mark.parametrize("fmt", ["relu-geom/network@2", "relu-geom/network@10"])
    def test_newer_format_is_unsupported_and_named(self, fmt):
        d = HAND.to_dict() | {"format": fmt}
        with pytest.raises(UnsupportedInputError, match=f"'{fmt}' is not supported.*newer"):
            rio.network_from_dict(d)

    def test_unknown_format_string_is_unsupported(self):
        with pytest.raises(UnsupportedInputError, match="'keras/model' is not supported"):
            rio.network_from_dict(HAND.to_dict() | {"format": "keras/model"})

    def test_format_must_be_a_string(self):
        with pytest.raises(InvalidInputError, match="format: expected a string"):
            rio.network_from_dict(HAND.to_dict() | {"format": 1})

    @pytest.mark.parametrize("key", ["weights", "biases"])
    def test_missing_field_is_named(self, key):
        d = HAND.to_dict()
        del d[key]
        with pytest.raises(InvalidInputError, match=f"missing field\\(s\\) '{key}'"):
            rio.network_from_dict(d)

    def test_unknown_field_is_named(self):
        with pytest.raises(InvalidInputError, match="unknown field\\(s\\) 'activation'"):
            rio.network_from_dict(HAND.to_dict() | {"activation": "tanh"})

    def test_not_a_dict(self):
        with pytest.raises(InvalidInputError, match="expected a dict.*got list"):
            rio.network_from_dict([[1]])

    @pytest.mark.parametrize(
        ("weights", "match"),
        [
            ("[[1]]", "weights: expected a list, got str"),
            ({"W1": [[1]]}, "weights: expected a list, got dict"),
            ([{"row": [1]}], r"weights\[0\]: expected a list, got dict"),
            ([[[1]], [["1/2"], "3"]], r"weights\[1\]\[1\]: expected a list, got str"),
        ],
    )
    def test_wrong_types_are_named(self, weights, match):
        with pytest.raises(InvalidInputError, match=match):
            rio.network_from_dict({"weights": weights, "biases": [[0]] * len(weights)})

    def test_ragged_matrix(self):
        with pytest.raises(
            DimensionMismatchError, match=r"weights\[0\].*ragged.*row 0 has 2 entries but row 1 has 1"
        ):
            rio.network_from_dict({"weights": [[[1, 2], [3]], [[1, 1]]], "biases": [[0, 0], [0]]})

    def test_misshaped_layers(self):
        with pytest.raises(
            DimensionMismatchError, match=r"weights\[1\].*expected shape \(1, 2\).*got shape \(1, 3\)"
        ):
            rio.network_from_dict({"weights": [[[1, 2], [3, 4]], [[1, 1, 1]]], "biases": [[0, 0], [0]]})
        with pytest.raises(DimensionMismatchError, match=r"biases\[0\].*expected length 2.*got length 3"):
            rio.network_from_dict({"weights": [[[1, 2], [3, 4]], [[1, 1]]], "biases": [[0, 0, 0], [0]]})
        with pytest.raises(DimensionMismatchError, match="2 weight matrices but 1 bias vectors"):
            rio.network_from_dict({"weights": [[[1]], [[1]]], "biases": [[0]]})

    @pytest.mark.parametrize("bad", ["abc", "1/0", "nan", "inf", "", True, None, [1]])
    def test_bad_entries_are_named(self, bad):
        with pytest.raises(InvalidInputError, match=r"weights\[0\](?: \(W_1\))?\[0\]\[1\]"):
            rio.network_from_dict({"weights": [[[1, bad]]], "biases": [[0]]})

    @pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
    def test_non_finite_python_floats_are_rejected(self, bad):
        with pytest.raises(InvalidInputError, match=r"biases\[0\]\[0\]: expected a finite number"):
            rio.network_from_dict({"weights": [[[1]]], "biases": [[bad]]})

    @pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
    def test_json_nan_and_infinity_are_rejected(self, token, tmp_path):
        text = f'{{"weights": [[[1, {token}]]], "biases": [[0]]}}'
        assert json.loads(text)  # Python's json module would accept it
        with pytest.raises(FileFormatError, match=f"JSON text: invalid JSON: {token} is not a finite number"):
            rio.network_from_json(text)
        path = tmp_path / "nan.json"
        path.write_text(text)
        with pytest.raises(FileFormatError, match=f"{path}: invalid JSON: {token}"):
            rio.network_from_json(path)

    def test_invalid_json_names_line_and_column(self, tmp_path):
        text = '{\n  "weights": [[[1]]],\n  "biases": [[0]]\n  "format": "relu-geom/network@1"\n}'
        with pytest.raises(FileFormatError, match="JSON text: invalid JSON at line 4, column 3"):
            rio.network_from_json(text)
        path = tmp_path / "broken.json"
        path.write_text(text)
        with pytest.raises(FileFormatError, match=f"{path}: invalid JSON at line 4, column 3: Expecting ','"):
            rio.network_from_json(path)

    def test_duplicate_fields_are_rejected(self):
        with pytest.raises(FileFormatError, match="duplicate field 'weights'"):
            rio.network_from_json('{"weights": [[[1]]], "weights": [[[2]]], "biases": [[0]]}')

    def test_file_content_errors_name_the_file(self, tmp_path):
        path = tmp_path / "bad.json"
        path.write_text('{"weights": [[[1, "x"]]], "biases": [[0]]}')
        with pytest.raises(FileFormatError, match=rf"{path}: weights\[0\](?: \(W_1\))?\[0\]\[1\]: .*'x'"):
            rio.network_from_json(path)
        path.write_text('{"weights": [[[1]]]}')
        with pytest.raises(FileFormatError, match=f"{path}: network: missing field\\(s\\) 'biases'"):
            rio.network_from_json(path)
        path.write_text("[1, 2]")
        with pytest.raises(FileFormatError, match=f"{path}: expected a JSON object.*got list"):
            rio.network_from_json(path)

    def test_unsupported_format_in_a_file_stays_unsupported_and_names_the_file(self, tmp_path):
        path = tmp_path / "v2.json"
        path.write_text(json.dumps(HAND.to_dict() | {"format": "relu-geom/network@2"}))
        with pytest.raises(UnsupportedInputError, match=f"{path}: format: 'relu-geom/network@2'"):
            rio.network_from_json(path)

    def test_missing_file_and_directory(self, tmp_path):
        with pytest.raises(FileFormatError, match=f"{tmp_path / 'nope.json'}: no such file"):
            rio.network_from_json(tmp_path / "nope.json")
        with pytest.raises(FileFormatError, match="is a directory"):
            rio.network_from_json(tmp_path)

    def test_not_utf8(self, tmp_path):
        path = tmp_path / "latin1.json"
        path.write_bytes(b'{"weights": [[[1]]], "biases": [["\xe9"]]}')
        with pytest.raises(FileFormatError, match=f"{path}: not UTF-8 text"):
            rio.network_from_json(path)

    def test_utf8_bom_is_accepted(self, tmp_path):
        path = tmp_path / "bom.json"
        path.write_bytes(b"\xef\xbb\xbf" + HAND.to_json().encode())
        assert rio.network_from_json(path) == HAND

    def test_source_of_the_wrong_type(self):
        with pytest.raises(InvalidInputError, match="expected a file path.*got dict"):
            rio.network_from_json(HAND.to_dict())

    def test_to_json_rejects_non_networks(self):
        with pytest.raises(InvalidInputError, match="net: expected a ReLUNetwork, got dict"):
            rio.network_to_json({"weights": []})


# ---------------------------------------------------------------------------
# exact JSON numbers
# ---------------------------------------------------------------------------
def one_weight(literal: str) -> str:
    return '{"weights": [[[' + literal + ']]], "biases": [[0]]}'


class TestExactNumbers:
    @pytest.mark.parametrize(
        ("literal", "expected"),
        [
            ("0.1", F(3602879701896397, 2**55)),  # the float 0.1, not 1/10
            ("0.5", F(1, 2)),
            ("-2.5e-3", F(-5764607523034235, 2**61)),  # the float -0.0025
            ("1e2", F(100)),
            ("12345678901234567890", F(12345678901234567890)),  # integers exactly, beyond 2**53
            ("1.7976931348623157e308", F(2**1024 - 2**971)),  # the largest float
            ("2.2250738585072014e-308", F(1, 2**1022)),  # the smallest normal float
            ("5e-324", F(1, 2**1074)),  # the smallest subnormal as Python writes it
            ("4.9406564584124654e-324", F(1, 2**1074)),  # ... and as C writes it
            ("0e-500", F(0)),  # a zero spelled as zero is zero
            ("3e-320", F(float("3e-320"))),  # a subnormal written as Python writes it
            ("1.5e-323", F(3, 2**1074)),
        ],
    )
    def test_a_number_is_the_exact_value_of_its_float(self, literal, expected):
        net = rio.network_from_json(one_weight(literal))
        assert net.weights[0][0][0] == expected

    @pytest.mark.parametrize("literal", ["1e400", "-1e309", "1e1000000000"])
    def test_a_number_beyond_the_floats_is_refused(self, literal):
        # before: 1e400 became inf and the error spoke of a non-finite weight, not of the file's number
        with pytest.raises(
            FileFormatError, match=f"the number {literal} is beyond the range of floats.*string"
        ):
            rio.network_from_json(one_weight(literal))

    @pytest.mark.parametrize(
        "literal", ["1e-400", "-1e-1000000000", "1.23456789e-320", "1.50e-323", "2.5e-324"]
    )
    def test_a_number_underflowing_to_zero_or_another_subnormal_is_refused(self, literal):
        # before: 1e-400 was silently read as 0 and 1.23456789e-320 as a subnormal with 4 significant digits
        with pytest.raises(FileFormatError, match=f'the number {literal} underflows.*"p/q"'):
            rio.network_from_json(one_weight(literal))

    def test_the_same_numbers_as_strings_are_exact(self):
        net = rio.network_from_json(one_weight('"1e-400"'))
        assert net.weights[0][0][0] == F(1, 10**400)

    @pytest.mark.parametrize("literal", ['"1e-1000000000"', '"1e1000000000"', '"1E+999999999999"'])
    def test_huge_exponents_in_strings_are_refused_quickly(self, literal):
        # before: Fraction("1e-1000000000") computes 10**1000000000 and hangs
        with pytest.raises(
            InvalidInputError, match=r"weights\[0\]\[0\]\[0\]: the exponent .* beyond the limit"
        ):
            rio.network_from_json(one_weight(literal))

    def test_too_many_digits_are_refused(self):
        with pytest.raises(FileFormatError, match="5000 digits, more than the limit"):
            rio.network_from_json(one_weight("1" * 5000))
        with pytest.raises(InvalidInputError, match="5000 digits, more than the limit"):
            rio.network_from_json(one_weight('"' + "1" * 5000 + '"'))

    def test_error_messages_stay_short(self):
        huge = '{"weights": [[[1]]], "biases": [[0]], "' + "x" * 10**6 + '": 1}'
        with pytest.raises(InvalidInputError) as info:
            rio.network_from_json(huge)
        assert len(str(info.value)) < 300
        with pytest.raises(InvalidInputError) as info:
            rio.network_from_dict({"weights": [[["z" * 10**6]]], "biases": [[0]]})
        assert len(str(info.value)) < 300

    @FAST
    @given(st.floats(allow_nan=False, allow_infinity=False))
    def test_every_float_written_by_python_reads_as_itself(self, x):
        assert rio.network_from_json(one_weight(json.dumps(x))).weights[0][0][0] == F(x)


class TestNumbersBeyondDecimalText:
    """Weights with more than 4300 digits (Python's int/str bound) are written in hexadecimal."""

    BIG = 7**6000  # 5071 decimal digits: str(BIG) raises ValueError
    NET = rg.ReLUNetwork(
        [[[BIG, F(1, 3**10000)], [F(-(2**20000) - 1, 5**7000), 1]], [[F(-BIG, BIG + 2), "1/3"]]],
        [[-BIG, 0], [F(1, 10**4000)]],
    )

    def test_round_trip_is_exact(self, tmp_path):
        path = tmp_path / "big.json"
        text = rio.network_to_json(self.NET, path)
        assert rio.network_from_json(text) == self.NET
        assert rio.network_from_json(path) == self.NET
        assert rg.load_network(path) == self.NET

    def test_a_saved_complex_of_such_a_network_round_trips(self, tmp_path):
        net = rg.ReLUNetwork([[[self.BIG]], [[1]]], [[0], [0]])
        rg.compile_network(net).save(tmp_path / "big.rgc")
        assert rg.PolyhedralComplex.load(tmp_path / "big.rgc").network == net

    def test_the_hex_form_is_the_number(self):
        w = rio.network_to_dict(self.NET)
        assert w["weights"][0][0][0] == "0x" + format(self.BIG, "x")
        assert int(w["weights"][0][0][0], 16) == self.BIG  # an independent reading of the hex
        p, q = w["weights"][0][1][0].split("/")
        assert F(int(p, 16), int(q, 16)) == F(-(2**20000) - 1, 5**7000)
        assert w["biases"][0][0].startswith("-0x")
        # ordinary numbers keep their decimal forms, as ReLUNetwork.to_dict writes them
        assert w["weights"][0][1][1] == 1 and w["weights"][1][0][1] == "1/3"
        assert w["biases"][1][0] == f"1/{10**4000}"  # 4001 digits: still decimal
        assert rio.network_to_dict(HAND) == HAND.to_dict()

    def test_works_under_a_lowered_int_str_limit(self, monkeypatch):
        import sys

        old = sys.get_int_max_str_digits()
        sys.set_int_max_str_digits(640)
        try:
            net = rg.ReLUNetwork([[[10**1000]]], [[0]])
            text = rio.network_to_json(net)
        finally:
            sys.set_int_max_str_digits(old)
        assert rio.network_from_json(text) == net

    def test_beyond_the_hex_bound_export_is_refused(self, tmp_path):
        huge = rg.ReLUNetwork([[[2 ** (4 * json_format.MAX_HEX_DIGITS)]]], [[0]])
        with pytest.raises(rg.LimitExceededError, match="bits, more than the 262144 bits"):
            rio.network_to_json(huge, tmp_path / "x.json")
        assert listing(tmp_path) == []
        fits = rg.ReLUNetwork([[[2 ** (4 * json_format.MAX_HEX_DIGITS - 1)]]], [[0]])
        assert rio.network_from_json(rio.network_to_json(fits)) == fits

    @pytest.mark.parametrize(
        ("literal", "message"),
        [
            ('"0x' + "f" * (2**16 + 1) + '"', "at most 65536 hexadecimal digits"),
            ('"0x1/0x0"', "zero denominator"),
            ('"0x1g"', "expected a number such as"),
            ('"0X1"', "expected a rational number"),  # only the lower-case form written by us
            ('"0x1/3"', "expected a number such as"),
        ],
    )
    def test_bad_hex_numbers_are_refused(self, literal, message):
        with pytest.raises(InvalidInputError, match=message) as info:
            rio.network_from_json(one_weight(literal))
        assert len(str(info.value)) < 300 and "weights[0][0][0]" in str(info.value)

    @pytest.mark.timeout(20)  # linear time; a quadratic conversion of 65,536 hex digits is far slower
    def test_reading_a_long_hex_number_is_fast(self):
        text = one_weight('"0x' + "f" * 2**16 + '"')
        net = rio.network_from_json(text)
        assert net.weights[0][0][0] == 16 ** (2**16) - 1


class TestStructure:
    @pytest.mark.parametrize(
        ("obj", "match"),
        [
            # before: a dict where a row list is expected was read as its keys
            (
                {"weights": [[{"1": 0, "2": 0}]], "biases": [[0]]},
                r"weights\[0\]\[0\]: expected a list, got dict",
            ),
            ({"weights": [[[1]]], "biases": [{"0": 1}]}, r"biases\[0\].*expected a list, got dict"),
            ({"weights": [[[1]]], "biases": {"b": [0]}}, "biases: expected a list, got dict"),
            ({"weights": [[[True]]], "biases": [[0]]}, "boolean"),
            (
                {"weights": [[[1]]], "biases": [[0]], "architecture": [True, 1]},
                "architecture: expected a list of integer",
            ),
            (
                {"weights": [[[1]]], "biases": [[0]], "architecture": [1.0, 1]},
                "architecture: expected a list of integer",
            ),
        ],
    )
    def test_wrong_containers_and_booleans_are_refused(self, obj, match):
        with pytest.raises(InvalidInputError, match=match):
            rio.network_from_dict(obj)

    def test_registry_named_constructors_go_through_io(self, tmp_path):
        path = tmp_path / "net.json"
        assert rg.ReLUNetwork.to_json(HAND, path) == rio.network_to_json(HAND)
        assert rg.ReLUNetwork.from_json(path) == HAND
        assert rg.ReLUNetwork.from_dict(HAND.to_dict()) == HAND


def test_number_count_is_bounded(monkeypatch):
    from relu_geom.io import json_format

    monkeypatch.setattr(json_format, "MAX_JSON_NUMBERS", 5)
    with pytest.raises(rg.LimitExceededError, match="more than 5 numbers"):
        rio.network_from_json('{"weights": [[[1, 2, 3]], [[4]]], "biases": [[0], [0.5]]}')
    assert rio.network_from_json('{"weights": [[[1, 2]], [[4]]], "biases": [[0], [0.5]]}').architecture == (
        2,
        1,
        1,
    )
