"""The derivation engine: every catalogued derivation and claim is proved, the
engine finds wrong steps where they are, and the chapters cannot drift from
the catalogue."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import sympy as sp

from activations.derivations import (
    Derivation,
    Step,
    check_steps,
    claim_names,
    compare_with_code,
    get,
    get_claim,
    names,
    render_admonition,
    to_latex,
    verify,
)
from activations.derivations.sync import find_blocks, sync_text

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))


# ------------------------------------------------------------------ the catalogue


@pytest.mark.parametrize("name", names())
def test_every_derivation_verifies(name):
    result = verify(get(name))
    assert result.ok, str(result)


@pytest.mark.parametrize("name", claim_names())
def test_every_claim_holds(name):
    c = get_claim(name)
    assert c.holds, f"{name}: {c.statement} ({c.detail})"


@pytest.mark.parametrize("name", [n for n in names() if get(n).code is not None])
def test_derivation_agrees_with_the_package(name):
    # The derived formula, lambdified, against the package's implementation.
    compare_with_code(get(name))


def test_the_catalogue_covers_the_course():
    # The derivations the course promises; each topic needs at least one.
    topics = {n.split(".")[0] for n in names()}
    assert {"sigmoid", "softmax"} <= topics


# ------------------------------------------------- wrong steps are found where they are


def _with_step(d: Derivation, k: int, expr) -> Derivation:
    steps = list(d.steps)
    steps[k] = Step(expr, steps[k].reason)
    return dataclasses.replace(d, steps=tuple(steps))


def test_flipped_sign_is_reported_at_its_step():
    d = get("sigmoid.chain_rule")
    x = sp.Symbol("x", real=True)
    u = 1 + sp.exp(-x)
    with sp.evaluate(False):
        wrong = _with_step(d, 2, -(u ** -2) * sp.exp(-x))  # lost the inner minus sign
    result = verify(wrong)
    assert not result.ok
    assert result.failure.step == 3
    assert "step 3" in str(result) and "does not follow from step 2" in str(result)


def test_seed_003_denominator_typo_is_caught():
    # Seed 003 writes (1 + exp(x))^2 where (1 + exp(-x))^2 belongs.
    d = get("sigmoid.chain_rule")
    x = sp.Symbol("x", real=True)
    with sp.evaluate(False):
        wrong = _with_step(d, 3, sp.exp(-x) / (1 + sp.exp(x)) ** 2)
    result = verify(wrong)
    assert not result.ok and result.failure.step == 4
    assert result.failure.difference != 0


def test_seed_002_off_diagonal_sign_flip_is_caught_for_a_concrete_length():
    d = get("softmax.jacobian_off_diagonal")
    i, j = d.indices
    y = sp.Function("y")
    wrong = _with_step(d, len(d.steps) - 1, y(i) * y(j))  # the seed's +y_i y_j
    result = verify(wrong)
    assert not result.ok
    assert result.failure.step == len(d.steps)
    assert "n = " in result.failure.instance


def test_a_correct_chain_after_a_wrong_one_is_not_enough():
    # Equality is checked link by link, not only end to end.
    x = sp.Symbol("x", real=True)
    result = check_steps([sp.exp(x) * sp.exp(-x), sp.Integer(2), sp.Integer(1)])
    assert not result.ok and result.failure.step == 1


# ------------------------------------------------------------------ the checker


def test_checker_accepts_a_correct_latex_derivation():
    result = check_steps([
        r"\frac{d}{dx} \frac{1}{1+e^{-x}}",
        r"\frac{e^{-x}}{(1+e^{-x})^2}",
        r"\sigma(x)(1-\sigma(x))",
    ])
    assert result.ok and result.n_steps == 2
    assert "all 2 steps verified" in str(result)


def test_checker_names_the_first_wrong_latex_step():
    result = check_steps([
        r"\frac{d}{dx} \frac{1}{1+e^{-x}}",
        r"\frac{e^{-x}}{(1+e^{-x})^2}",
        r"\frac{e^{-x}}{(1+e^{x})^2}",
        r"\sigma(x)(1-\sigma(x))",
    ])
    assert not result.ok and result.failure.step == 2
    assert "$$" in result._repr_markdown_()


def test_checker_reads_plain_strings_with_known_functions():
    assert check_steps(["Derivative(tanh(x), x)", "1 - tanh(x)^2",
                        "4*sigma(2*x)*(1 - sigma(2*x))"]).ok
    assert not check_steps(["Derivative(tanh(x), x)", "1 + tanh(x)^2"]).ok


def test_checker_rejects_bad_input():
    with pytest.raises(ValueError, match="at least two steps"):
        check_steps(["x"])
    with pytest.raises(TypeError, match="SymPy expression or a string"):
        check_steps([1.5, "x"])


# ------------------------------------------------------------------ typesetting


def test_printer_writes_functions_as_people_do():
    x = sp.Symbol("x")
    sigma = sp.Function("sigma")
    assert to_latex(sigma(x)) == r"\sigma(x)"
    assert to_latex(sp.tanh(x) ** 2) == r"\tanh^{2}(x)"
    with sp.evaluate(False):
        product = (1 / (1 + x)) * (x / (1 + x))
    assert to_latex(product).count(r"\frac") == 2  # kept as two fractions


def test_rendered_admonition_says_it_was_verified():
    text = render_admonition(get("sigmoid.chain_rule"))
    assert text.startswith("```{admonition} Derivation:")
    assert ":class: tip, dropdown" in text
    assert "<!-- derivation: sigmoid.chain_rule" in text
    assert text.count("&=") == len(get("sigmoid.chain_rule").steps)
    assert "Verified by SymPy in general: 8 steps" in text


# ------------------------------------------------------------ chapters in sync


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_derivations_are_in_sync_and_checked(path):
    text = path.read_text(encoding="utf-8")
    new, problems = sync_text(text)
    assert not problems, "\n".join(problems)
    assert new == text, (
        f"{path.name}: a derivation admonition differs from its SymPy source; "
        "run `python -m activations.derivations sync`"
    )


def test_sync_detects_a_hand_edit():
    block = render_admonition(get("sigmoid.chain_rule"))
    page = f"# A chapter\n\n{block}\n\nText after.\n"
    assert sync_text(page) == (page, [])
    edited = page.replace(r"\text{chain rule}", r"\text{product rule}")
    new, _ = sync_text(edited)
    assert new == page  # sync restores the checked text


def test_sync_flags_an_unchecked_derivation():
    page = "```{admonition} Derivation: trust me\n:class: dropdown\n\n$$a = b$$\n```\n"
    _, problems = sync_text(page)
    assert problems and "not checked by SymPy" in problems[0]


def test_find_blocks_handles_colon_fences():
    lines = [":::{admonition} Derivation: x", "<!-- derivation: sigmoid.chain_rule -->", ":::"]
    (block,) = find_blocks(lines)
    assert block.name == "sigmoid.chain_rule" and block.fence == ":::"
