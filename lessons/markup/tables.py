"""Symbol tables for the lesson math markup: every supported command and what it stands for.

Data only, used by :mod:`lessons.markup.mathtext` (the parser). ``Kind`` values follow TeX's atom
classes, which decide spacing: ``ord`` (letters, numbers), ``op`` (named functions such as
``exp``), ``bin`` (binary operators: + − × ⋅), ``rel`` (relations and arrows: = ≤ →),
``open``/``close`` (brackets) and ``punct`` (comma, semicolon).
"""

from __future__ import annotations

from typing import Literal, TypeAlias

Kind: TypeAlias = Literal["ord", "op", "bin", "rel", "open", "close", "punct"]


def _words(spec: str) -> list[str]:
    return spec.split()


_GREEK_LOWER = _words(
    "alpha α beta β gamma γ delta δ epsilon ϵ varepsilon ε zeta ζ eta η theta θ vartheta ϑ "
    "iota ι kappa κ lambda λ mu μ nu ν xi ξ omicron ο pi π varpi ϖ rho ρ varrho ϱ sigma σ "
    "varsigma ς tau τ upsilon υ phi ϕ varphi φ chi χ psi ψ omega ω"
)
_GREEK_UPPER = _words(
    "Gamma Γ Delta Δ Theta Θ Lambda Λ Xi Ξ Pi Π Sigma Σ Upsilon Υ Phi Φ Psi Ψ Omega Ω"
)


def _pairs(words: list[str]) -> dict[str, str]:
    return dict(zip(words[::2], words[1::2], strict=True))


def _kind(kind: Kind, spec: str) -> dict[str, tuple[str, Kind, bool]]:
    return {name: (glyph, kind, False) for name, glyph in _pairs(spec.split()).items()}


# name -> (glyph, kind, italic)
SYMBOLS: dict[str, tuple[str, Kind, bool]] = {
    **{name: (glyph, "ord", True) for name, glyph in _pairs(_GREEK_LOWER).items()},
    **{name: (glyph, "ord", False) for name, glyph in _pairs(_GREEK_UPPER).items()},
    **_kind(
        "ord",
        "partial ∂ nabla ∇ infty ∞ ell ℓ ldots … dots … cdots ⋯ vdots ⋮ ddots ⋱ prime ′ "
        "forall ∀ exists ∃ emptyset ∅ varnothing ∅ neg ¬ lnot ¬ top ⊤ bot ⊥ hbar ℏ angle ∠ "
        "% % $ $ # # & & _ _ | ‖ Vert ‖ vert | backslash \\ checkmark ✓ dagger † star ⋆",
    ),
    **_kind(
        "bin",
        "cdot ⋅ times × div ÷ pm ± mp ∓ ast ∗ circ ∘ bullet ∙ odot ⊙ otimes ⊗ oplus ⊕ "
        "cup ∪ cap ∩ setminus ∖ land ∧ wedge ∧ lor ∨ vee ∨",
    ),
    **_kind(
        "rel",
        "leftarrow ← gets ← rightarrow → to → Rightarrow ⇒ Leftarrow ⇐ Leftrightarrow ⇔ "
        "leftrightarrow ↔ implies ⟹ iff ⟺ mapsto ↦ longrightarrow ⟶ longleftarrow ⟵ "
        "uparrow ↑ downarrow ↓ approx ≈ le ≤ leq ≤ ge ≥ geq ≥ ne ≠ neq ≠ equiv ≡ in ∈ "
        "notin ∉ ni ∋ sim ∼ simeq ≃ cong ≅ propto ∝ ll ≪ gg ≫ subset ⊂ subseteq ⊆ supset ⊃ "
        "supseteq ⊇ perp ⟂ mid ∣ parallel ∥ doteq ≐ coloneqq ≔ triangleq ≜",
    ),
    **_kind("open", "{ { langle ⟨ lfloor ⌊ lceil ⌈ lVert ‖ lvert |"),
    **_kind("close", "} } rangle ⟩ rfloor ⌋ rceil ⌉ rVert ‖ rvert |"),
    **_kind("punct", "colon :"),
}

# Ordinary characters typed directly: text shown and kind.
CHARS: dict[str, tuple[str, Kind]] = {
    "+": ("+", "bin"),
    "-": ("−", "bin"),
    "*": ("∗", "bin"),
    "=": ("=", "rel"),
    "<": ("<", "rel"),
    ">": (">", "rel"),
    ":": (":", "rel"),
    ",": (",", "punct"),
    ";": (";", "punct"),
    "(": ("(", "open"),
    "[": ("[", "open"),
    ")": (")", "close"),
    "]": ("]", "close"),
    "!": ("!", "close"),
    "?": ("?", "close"),
}
FORBIDDEN_CHARS = frozenset("#%&$\\")
UPRIGHT_LETTERS = frozenset("ΓΔΘΛΞΠΣΥΦΨΩ∂")
# Unicode characters typed directly take the kind their command would give them.
UNICODE_KINDS: dict[str, Kind] = {
    g: kind for g, kind, _ in SYMBOLS.values() if kind != "ord" and not g.isascii() and g != "‖"
}
UNICODE_KINDS["−"] = "bin"

SPACES: dict[str, float] = {
    ",": 3 / 18,
    "thinspace": 3 / 18,
    ":": 4 / 18,
    ">": 4 / 18,
    "medspace": 4 / 18,
    ";": 5 / 18,
    "thickspace": 5 / 18,
    "!": -3 / 18,
    " ": 1 / 3,
    "enspace": 0.5,
    "quad": 1.0,
    "qquad": 2.0,
}

FUNCTIONS: dict[str, str] = {
    name: name
    for name in _words(
        "exp log ln lg sin cos tan cot sec csc sinh cosh tanh coth arcsin arccos arctan "
        "arg deg dim ker hom"
    )
}
LIMIT_FUNCTIONS: dict[str, str] = {
    **{name: name for name in _words("max min lim sup inf det gcd Pr")},
    "argmax": "arg max",
    "argmin": "arg min",
}
BIG_OPS: dict[str, str] = _pairs(
    _words("sum ∑ prod ∏ coprod ∐ int ∫ iint ∬ oint ∮ bigcup ⋃ bigcap ⋂")
)
INTEGRALS = frozenset("∫∬∮")

# name -> (accent, wide)
ACCENTS: dict[str, tuple[str, bool]] = {
    "hat": ("hat", False),
    "widehat": ("hat", True),
    "bar": ("bar", False),
    "overline": ("bar", True),
    "vec": ("vec", False),
    "overrightarrow": ("vec", True),
    "tilde": ("tilde", False),
    "widetilde": ("tilde", True),
    "dot": ("dot", False),
    "ddot": ("ddot", False),
}
COMBINING = {
    "hat": "\u0302",
    "bar": "\u0304",
    "vec": "\u20d7",
    "tilde": "\u0303",
    "dot": "\u0307",
    "ddot": "\u0308",
}

TEXT_STYLES = {
    "text": "text",
    "textrm": "text",
    "mbox": "text",
    "textbf": "textbf",
    "textit": "textit",
}
MATH_STYLES = {"mathbf": "bf", "boldsymbol": "bfit", "bm": "bfit", "mathrm": "rm", "mathit": "it"}


def _alphabet(start_upper: int, start_lower: int | None, holes: dict[str, str]) -> dict[str, str]:
    table = {chr(65 + k): chr(start_upper + k) for k in range(26)}
    if start_lower is not None:
        table |= {chr(97 + k): chr(start_lower + k) for k in range(26)}
    return table | holes


ALPHABETS: dict[str, dict[str, str]] = {
    "mathcal": _alphabet(0x1D49C, None, _pairs(_words("B ℬ E ℰ F ℱ H ℋ I ℐ L ℒ M ℳ R ℛ"))),
    "mathbb": _alphabet(0x1D538, None, _pairs(_words("C ℂ H ℍ N ℕ P ℙ Q ℚ R ℝ Z ℤ")))
    | {str(d): chr(0x1D7D8 + d) for d in range(10)},
}

# TeX delimiter -> glyph ("" is the empty delimiter "\left.")
DELIMITERS: dict[str, str] = {
    **{c: c for c in "()[]|/"},
    ".": "",
    "<": "⟨",
    ">": "⟩",
    **{"\\" + n: g for n, (g, k, _) in SYMBOLS.items() if k in ("open", "close")},
    "\\|": "‖",
    "\\Vert": "‖",
    "\\vert": "|",
}

# environment -> (left delimiter, right delimiter, column alignment)
ENVIRONMENTS: dict[str, tuple[str, str, str]] = {
    "matrix": ("", "", "c"),
    "pmatrix": ("(", ")", "c"),
    "bmatrix": ("[", "]", "c"),
    "Bmatrix": ("{", "}", "c"),
    "vmatrix": ("|", "|", "c"),
    "Vmatrix": ("‖", "‖", "c"),
    "cases": ("{", "", "l"),
    "aligned": ("", "", "rl"),
}

STRUCTURE = _words(
    "frac dfrac tfrac sqrt left right begin end operatorname operatorname* limits nolimits"
)
COMMANDS: frozenset[str] = frozenset(
    [
        *SYMBOLS,
        *SPACES,
        *FUNCTIONS,
        *LIMIT_FUNCTIONS,
        *BIG_OPS,
        *ACCENTS,
        *TEXT_STYLES,
        *MATH_STYLES,
        *ALPHABETS,
        *STRUCTURE,
    ]
)

SUPERSCRIPTS = dict(
    zip(
        "0123456789+−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθφχ′",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᵠᵡ′",
        strict=True,
    )
)
SUBSCRIPTS = dict(
    zip(
        "0123456789+−=()aehijklmnoprstuvxβγρφχ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        strict=True,
    )
)

HTML_TAGS = frozenset(_words("b i em strong br p ul ol li span code sub sup"))
