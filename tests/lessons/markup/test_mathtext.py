"""The lesson markup: splitting prose from math, parsing the TeX subset, plain text, validation."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons.markup.mathtext import (
    COMMANDS,
    Accent,
    BigOp,
    Delimited,
    Frac,
    Math,
    MathError,
    Matrix,
    Row,
    Scripts,
    Space,
    Sqrt,
    Styled,
    Symbol,
    check_markup,
    parse_math,
    split_markup,
    to_plain,
)

ACCENTS = ("hat", "widehat", "bar", "overline", "vec", "overrightarrow", "tilde", "widetilde",
           "dot", "ddot")  # fmt: skip
SOFTMAX = r"p_i = \frac{e^{z_i / T}}{\sum_{j=1}^{K} e^{z_j / T}}"
LOGISTIC = r"h_\theta(x) = \frac{1}{1 + \exp(-\theta^T x)}"
UPDATE = r"w \leftarrow w - \eta \frac{\partial J}{\partial w} = 0.5 - 0.1 \times 2.31"
CHAIN = (
    r"\frac{\partial J}{\partial w_1} = \frac{\partial J}{\partial \hat y}"
    r"\cdot\frac{\partial \hat y}{\partial z}\cdot x_1"
)


def test_split_markup_separates_prose_inline_and_display_math() -> None:
    """Prose strings and Math pieces alternate; $$ marks display math."""
    assert split_markup(r"Let $x^2$ be $$\frac12$$ done") == [
        "Let ",
        Math("x^2", display=False),
        " be ",
        Math(r"\frac12", display=True),
        " done",
    ]


def test_escaped_dollar_is_a_literal_dollar_in_prose() -> None:
    """\\$ is a dollar sign, not a math delimiter."""
    assert split_markup(r"It costs \$5, and $x$") == ["It costs $5, and ", Math("x", False)]


def test_unbalanced_dollar_raises_with_its_position() -> None:
    """An unclosed $ is an error naming where it opened."""
    with pytest.raises(MathError, match="unbalanced") as err:
        split_markup("cost $x + 1")
    assert err.value.position == 5


def test_greek_lowercase_is_italic_and_uppercase_upright() -> None:
    """Greek commands become Unicode letters, italic only in lower case, as in TeX."""
    row = parse_math(r"\alpha \varepsilon \theta \Sigma \Omega")
    assert row == Row(
        (
            Symbol("α", italic=True),
            Symbol("ε", italic=True),
            Symbol("θ", italic=True),
            Symbol("Σ"),
            Symbol("Ω"),
        )
    )


def test_letters_are_italic_numbers_upright_and_minus_is_a_true_minus() -> None:
    """Decimals are one upright symbol; '-' becomes U+2212 as a binary operator."""
    assert parse_math("x - 0.25") == Row(
        (Symbol("x", italic=True), Symbol("−", kind="bin"), Symbol("0.25"))
    )


def test_fraction_nests_and_takes_single_token_arguments() -> None:
    """\\frac takes groups or single tokens, and fractions nest."""
    assert parse_math(r"\frac12") == Frac(Symbol("1"), Symbol("2"))
    nested = parse_math(r"\frac{1}{1 + \frac{a}{b}}")
    assert isinstance(nested, Frac)
    assert isinstance(nested.den, Row) and nested.den.items[-1] == Frac(
        Symbol("a", italic=True), Symbol("b", italic=True)
    )


def test_scripts_and_primes_attach_to_their_base() -> None:
    """x_i^2 has both scripts; f'(x) has a prime superscript."""
    assert parse_math("x_i^2") == Scripts(Symbol("x", True), Symbol("i", True), Symbol("2"))
    prime = parse_math("f'(x)")
    assert isinstance(prime, Row) and prime.items[0] == Scripts(
        Symbol("f", True), None, Symbol("′")
    )


def test_sum_takes_limits_and_integral_is_marked() -> None:
    """Scripts on \\sum become its limits; \\int is recognised as an integral."""
    node = parse_math(r"\sum_{j=1}^{K}")
    assert isinstance(node, BigOp) and node.symbol == "∑" and not node.integral
    assert node.sup == Symbol("K", True)
    assert isinstance(parse_math(r"\int_0^1"), BigOp) and parse_math(r"\int").integral  # type: ignore[union-attr]


def test_named_limit_operator_and_plain_function() -> None:
    """\\max takes limits below it; \\exp is an upright operator name."""
    node = parse_math(r"\max_{x}")
    assert node == BigOp("max", Symbol("x", True), None, named=True)
    assert parse_math(r"\exp") == Symbol("exp", kind="op")


def test_matrix_environments_give_rows_of_cells_and_delimiters() -> None:
    """pmatrix/bmatrix/cases become Matrix nodes with their delimiters."""
    m = parse_math(r"\begin{pmatrix} 0.5 & -1.2 \\ 3 & 4 \end{pmatrix}")
    assert isinstance(m, Matrix) and (m.left, m.right) == ("(", ")")
    assert m.rows[1] == (Symbol("3"), Symbol("4"))
    assert len(m.rows) == 2 and all(len(r) == 2 for r in m.rows)
    b = parse_math(r"\begin{bmatrix} 1 & 2 \\ \end{bmatrix}")
    assert isinstance(b, Matrix) and b.left == "[" and len(b.rows) == 1
    cases = parse_math(r"\begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases}")
    assert isinstance(cases, Matrix) and (cases.left, cases.right, cases.align) == ("{", "", "l")


def test_text_keeps_spaces_and_styles_wrap_their_body() -> None:
    """\\text keeps spaces verbatim; \\mathbf and \\hat wrap the parsed body."""
    assert parse_math(r"\text{if x > 0}") == Styled(Symbol("if x > 0"), "text")
    assert parse_math(r"\mathbf{w}") == Styled(Symbol("w", True), "bf")
    assert parse_math(r"\hat y") == Accent(Symbol("y", True), "hat")
    assert parse_math(r"\sqrt[3]{8}") == Sqrt(Symbol("8"), Symbol("3"))
    assert parse_math(r"\mathbb{R}") == Symbol("ℝ")


def test_left_right_grow_around_their_body() -> None:
    """\\left( ... \\right) and norms become Delimited nodes; '.' is an empty side."""
    assert parse_math(r"\left( x \right)") == Delimited("(", Symbol("x", True), ")")
    assert parse_math(r"\left\| w \right.") == Delimited("‖", Symbol("w", True), "")
    assert parse_math(r"a\,b") == Row((Symbol("a", True), Space(3 / 18), Symbol("b", True)))


def test_unknown_command_raises_with_position_and_name() -> None:
    """A typo in a command is caught with where it is and what it was."""
    with pytest.raises(MathError, match=r"unknown command \\alpah") as err:
        parse_math(r"x + \alpah")
    assert err.value.position == 4 and err.value.command == "alpah"


@pytest.mark.parametrize(
    "source",
    ["x^2^3", "{x", "x}", r"\left( x", r"\frac{1}", "a & b", r"\begin{foo}x\end{foo}", "50%"],
)
def test_malformed_math_raises_math_error(source: str) -> None:
    """Double scripts, unbalanced braces, stray & and unknown environments are errors."""
    with pytest.raises(MathError):
        parse_math(source)


def _usage(command: str) -> str:
    """A minimal valid use of each supported command."""
    if command in ("frac", "dfrac", "tfrac"):
        return rf"\{command}{{a}}{{b}}"
    if command in ("left", "right"):
        return r"\left( x \right)"
    if command in ("begin", "end"):
        return r"\begin{pmatrix} 1 \end{pmatrix}"
    if command in ("limits", "nolimits"):
        return rf"\sum\{command}_i x"
    if command.startswith("math") or command in ("boldsymbol", "bm") or command[:4] == "text":
        return rf"\{command}{{R}}"
    if command in ("sqrt", "operatorname", "operatorname*", "mbox", *ACCENTS):
        return rf"\{command}{{x}}"
    return rf"\{command}" if command.isalpha() else rf"\{command} x"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_listed_command_parses_and_linearises(command: str) -> None:
    """Each command in COMMANDS parses in a minimal use and has a plain-text form."""
    source = _usage(command)
    parse_math(source)
    assert isinstance(to_plain(f"${source}$"), str)


@pytest.mark.parametrize(
    ("source", "plain"),
    [
        (SOFTMAX, "pᵢ = (e^(zᵢ/T))/(∑ⱼ₌₁ᴷ e^(zⱼ/T))"),
        (LOGISTIC, "h_θ(x) = 1/(1 + exp(−θᵀx))"),
        (UPDATE, "w ← w − η ∂J/∂w = 0.5 − 0.1 × 2.31"),
        (CHAIN, "∂J/∂w₁ = ∂J/∂y\u0302 ⋅ ∂y\u0302/∂z ⋅ x₁"),  # y + combining hat
        (r"\sigma(z) = \frac{1}{1+e^{-z}}", "σ(z) = 1/(1 + e⁻ᶻ)"),
        (r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", "(1, 2; 3, 4)"),
        (r"\left\| \mathbf{w} \right\|_2^2", "‖w‖₂²"),
        (r"-\log p_{\mathrm{true}}", "−log p_true"),
        (r"\sqrt{x^2 + y^2}", "√(x² + y²)"),
    ],
)
def test_to_plain_linearises_representative_formulas(source: str, plain: str) -> None:
    """Formulas read well as Unicode text: Greek, scripts, fractions, operators."""
    assert to_plain(f"${source}$") == plain


def test_to_plain_strips_tags_keeps_paragraphs_lists_and_display_lines() -> None:
    """Tags go, entities are decoded, list items and display math get their own lines."""
    text = (
        "<p>The <b>softmax</b> &amp; more:\n   $$y = x$$ done.</p>"
        "<ul><li>one $\\alpha$</li><li>two</li></ul>x<sub>1</sub>"
    )
    assert to_plain(text) == "The softmax & more:\ny = x\ndone.\n\n• one α\n• two\nx₁"


def test_check_markup_accepts_tags_that_span_math() -> None:
    """Allowed tags, balanced across formulas, with a class attribute, pass."""
    check_markup(r'<ul><li>Loss $-\log p$ is <span class="good">small</span></li></ul><br>')


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<div>x</div>", "not allowed"),
        ('<b style="color: red">x</b>', "attribute"),
        ("<b>x</i>", "does not close"),
        ("<b>bold", "never closed"),
        ("if x < 3", "stray '<'"),
        ("a $x", "unbalanced"),
    ],
)
def test_check_markup_rejects_bad_html_and_dollars(text: str, message: str) -> None:
    """Tags outside the subset, attributes, unbalanced tags or dollars are errors."""
    with pytest.raises(MathError, match=message):
        check_markup(text)


def test_check_markup_reports_math_errors_at_their_text_position() -> None:
    """An unknown command inside the text is reported at its offset in the whole text."""
    with pytest.raises(MathError, match="unknown command") as err:
        check_markup(r"Some words, then $x + \sigm$.")
    assert err.value.position == 22 and err.value.command == "sigm"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"x2_^{}\\ ()+-=&'.,|", r"\frac", r"\left", r"\right", r"\sum"])))
def test_parse_math_fails_only_with_math_error(tokens: list[str]) -> None:
    """Arbitrary input parses or raises MathError, never another exception."""
    with contextlib.suppress(MathError):
        parse_math("".join(tokens))
