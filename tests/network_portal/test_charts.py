"""The report charts: bars and lines drawn to scale, gaps for missing figures, Norwegian numbers, accessible markup."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template import Context, Template

from network_portal.charts import ACCENT, BAR, SERIES_STYLES, bar_chart, format_value, line_chart

NBSP = "\u00a0"
SVG = "{http://www.w3.org/2000/svg}"


def parse(chart) -> ET.Element:
    """The chart's SVG as an element tree (which also proves it is well-formed XML)."""
    return ET.fromstring(str(chart.svg))


def bars(root: ET.Element) -> list[tuple[str, ET.Element | None, list[str]]]:
    """(label, rect or None, the texts) for each bar group, in order."""
    found = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "bar":
            texts = [t.text for t in group.iter(f"{SVG}text")]
            found.append((texts[0], group.find(f"{SVG}rect"), texts[1:]))
    return found


def zero_x(root: ET.Element) -> float:
    (line,) = [el for el in root.iter(f"{SVG}line") if el.get("class") == "zero"]
    assert line.get("x1") == line.get("x2")
    return float(line.get("x1"))


def series_paths(root: ET.Element) -> list[ET.Element]:
    return [path for g in root.iter(f"{SVG}g") if g.get("class") == "series" for path in g.iter(f"{SVG}path")]


# --- bar chart ---------------------------------------------------------------------------------------


def test_bar_lengths_are_proportional_to_the_values():
    chart = bar_chart(title="Målbedrifter", labels=["A", "B", "C"], values=[10, 25, Decimal("50")])
    widths = [float(rect.get("width")) for _label, rect, _texts in bars(parse(chart))]
    assert widths[1] / widths[0] == pytest.approx(2.5, rel=1e-3)
    assert widths[2] / widths[0] == pytest.approx(5, rel=1e-3)


def test_positive_bars_start_at_the_zero_line():
    root = parse(bar_chart(title="T", labels=["A", "B"], values=[3, 7]))
    assert all(float(rect.get("x")) == pytest.approx(zero_x(root), abs=0.1) for _l, rect, _t in bars(root))


def test_a_negative_value_is_drawn_left_of_the_zero_line():
    root = parse(bar_chart(title="Endring i omsetning", labels=["Vekst", "Nedgang"], values=[200, -100], unit="kr"))
    zero = zero_x(root)
    (_, up, up_texts), (_, down, down_texts) = bars(root)
    assert float(up.get("x")) == pytest.approx(zero, abs=0.1)
    assert float(down.get("x")) + float(down.get("width")) == pytest.approx(zero, abs=0.1)
    assert float(down.get("x")) < zero
    assert float(down.get("width")) == pytest.approx(float(up.get("width")) / 2, rel=1e-2)
    assert down_texts == [f"\u2212100{NBSP}kr"]


def test_none_draws_no_bar_and_a_dash_in_the_chart_and_the_table():
    chart = bar_chart(title="T", labels=["A", "Uten tall", "C"], values=[5, None, 8])
    drawn = bars(parse(chart))
    assert [label for label, _rect, _texts in drawn] == ["A", "Uten tall", "C"]
    assert drawn[1][1] is None
    assert drawn[1][2] == ["–"]
    assert len(list(parse(chart).iter(f"{SVG}rect"))) == 2
    html = render(chart)
    assert '<th scope="row">Uten tall</th><td class="num">–</td>' in html


def test_the_highlight_colours_only_the_named_bar():
    chart = bar_chart(title="T", labels=["Proneo", "Hagen", "Tredje"], values=[4, 6, 2], highlight="Hagen")
    fills = {label: rect.get("fill") for label, rect, _texts in bars(parse(chart))}
    assert fills == {"Proneo": BAR, "Hagen": ACCENT, "Tredje": BAR}
    # Not told by colour alone: the highlighted garden's name is bold too.
    weights = {label: g_label.get("font-weight") for label, g_label in label_elements(parse(chart))}
    assert weights == {"Proneo": "400", "Hagen": "700", "Tredje": "400"}
    assert "Uthevet: Hagen, 6." in chart.description


def label_elements(root: ET.Element) -> list[tuple[str, ET.Element]]:
    return [(g.find(f"{SVG}text").text, g.find(f"{SVG}text")) for g in root.iter(f"{SVG}g") if g.get("class") == "bar"]


def test_equal_values_are_described_as_equal():
    chart = bar_chart(title="T", labels=["A", "B"], values=[3, 3], unit="%")
    assert chart.description == f"Alle har samme verdi: 3{NBSP}%."


def test_a_highlight_that_is_not_a_label_is_an_error():
    with pytest.raises(ValueError):
        bar_chart(title="T", labels=["A"], values=[1], highlight="B")


def test_bar_table_rows_are_the_inputs():
    labels, values = ["A", "B", "C"], [Decimal("1.5"), None, -3]
    chart = bar_chart(title="Årsverk", labels=labels, values=values, value_header="Årsverk 2023")
    assert chart.rows == [["A", Decimal("1.5")], ["B", None], ["C", -3]]
    assert chart.headers == ["Hage", "Årsverk 2023"]


def test_the_svg_grows_with_the_number_of_bars():
    def height(n: int) -> float:
        chart = bar_chart(title="T", labels=[f"G{i}" for i in range(n)], values=[1] * n)
        return float(parse(chart).get("viewBox").split()[3])

    assert height(40) > height(10) > height(2)


def test_values_are_printed_at_the_bar_ends_in_norwegian_format():
    chart = bar_chart(title="Omsetning", labels=["A", "B"], values=[1234567, Decimal("250000.50")], unit="kr")
    assert [texts for _l, _r, texts in bars(parse(chart))] == [
        [f"1{NBSP}234{NBSP}567{NBSP}kr"], [f"250{NBSP}000,50{NBSP}kr"],
    ]
    assert "Høyest: A" in chart.description and "lavest: B" in chart.description


# --- line chart --------------------------------------------------------------------------------------


def test_one_path_per_series_with_distinct_colour_and_dash():
    chart = line_chart(
        title="Målbedrifter per år", x_labels=["2021", "2022", "2023"],
        series=[("A", [1, 2, 3]), ("B", [2, 2, 2]), ("C", [3, 2, 1]), ("D", [0, 1, 0])],
    )
    paths = series_paths(parse(chart))
    assert len(paths) == 4
    styles = {(p.get("stroke"), p.get("stroke-dasharray")) for p in paths}
    assert len({colour for colour, _dash in styles}) == 4
    assert len({dash for _colour, dash in styles}) == 4
    assert [p.get("stroke") for p in paths] == [colour for colour, _dash, _marker in SERIES_STYLES]


def test_the_line_breaks_where_a_value_is_missing():
    chart = line_chart(title="T", x_labels=["2019", "2020", "2021", "2022", "2023"], series=[("A", [1, 2, None, 4, 5])])
    (path,) = series_paths(parse(chart))
    commands = path.get("d").split()
    assert [c[0] for c in commands if c[0].isalpha()] == ["M", "L", "M", "L"]


def test_the_y_axis_starts_at_zero_with_four_or_five_norwegian_gridlines():
    chart = line_chart(title="T", x_labels=["2022", "2023"], series=[("Omsetning", [1_200_000, 1_500_000])], unit="kr")
    ticks = [t.text for t in parse(chart).iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert 4 <= len(ticks) <= 5
    assert ticks[0] == f"0{NBSP}kr"
    assert f"1{NBSP}000{NBSP}000{NBSP}kr" in ticks


def test_the_y_axis_goes_below_zero_for_negative_values():
    chart = line_chart(title="T", x_labels=["2022", "2023"], series=[("Endring", [-30, 70])])
    ticks = [t.text for t in parse(chart).iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert ticks[0].startswith("\u2212") and "0" in ticks


def test_the_legend_names_every_series():
    chart = line_chart(title="T", x_labels=["2023"], series=[("Proneo", [1]), ("Nettverket", [2])])
    items = [g for g in parse(chart).iter(f"{SVG}g") if g.get("class") == "legend-item"]
    legend = [t.text for g in items for t in g.iter(f"{SVG}text")]
    assert legend == ["Proneo", "Nettverket"]


def test_line_table_has_a_row_per_year_and_a_column_per_series():
    chart = line_chart(title="T", x_labels=["2022", "2023"], series=[("A", [1, None]), ("B", [Decimal("2.5"), 3])])
    assert chart.headers == ["År", "A", "B"]
    assert chart.rows == [["2022", 1, Decimal("2.5")], ["2023", None, 3]]
    assert "A" in chart.description and "B gikk fra 2,5 i 2022 til 3 i 2023" in chart.description


def test_more_series_than_styles_is_an_error():
    with pytest.raises(ValueError):
        line_chart(title="T", x_labels=["2023"], series=[(str(i), [i]) for i in range(5)])


# --- formatting, accessibility, escaping -------------------------------------------------------------


@pytest.mark.parametrize("value,unit,expected", [
    (1234567, "kr", f"1{NBSP}234{NBSP}567{NBSP}kr"),
    (0.1, "kr", f"0,10{NBSP}kr"),
    (12.5, "%", f"12,5{NBSP}%"),
    (Decimal("3.0"), "årsverk", f"3{NBSP}årsverk"),
    (4321, "", f"4{NBSP}321"),
    (None, "kr", "–"),
])
def test_values_are_formatted_the_norwegian_way(value, unit, expected):
    assert format_value(value, unit) == expected


@pytest.mark.parametrize("make", [
    lambda: bar_chart(title="Omsetning per hage", labels=["A"], values=[1]),
    lambda: line_chart(title="Omsetning per hage", x_labels=["2023"], series=[("A", [1])]),
], ids=["bar", "line"])
def test_the_svg_is_a_titled_and_described_scalable_image(make):
    chart = make()  # built inside the test, not at collection, so translations are ready
    root = parse(chart)
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("viewBox").startswith("0 0 ")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Omsetning per hage"
    assert desc.text == chart.description and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_two_charts_on_one_page_have_different_ids():
    first = parse(bar_chart(title="Omsetning", labels=["A"], values=[1]))
    second = parse(bar_chart(title="Årsverk", labels=["A"], values=[1]))
    assert first.find(f"{SVG}title").get("id") != second.find(f"{SVG}title").get("id")


def test_labels_and_titles_are_escaped():
    chart = bar_chart(title="<b>T</b>", labels=["<script>alert(1)</script>", "B"], values=[1, 2], highlight="B")
    svg = str(chart.svg)
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert bars(parse(chart))[0][0] == "<script>alert(1)</script>"
    html = render(chart)
    assert "<script>" not in html and "&lt;script&gt;" in html
    series = line_chart(title="T", x_labels=["<i>2023</i>"], series=[("<script>", [1])])
    assert "<script>" not in str(series.svg) and "<i>" not in str(series.svg)


# --- the {% chart %} tag -----------------------------------------------------------------------------


def render(chart) -> str:
    return Template("{% load charts %}{% chart c %}").render(Context({"c": chart}))


def test_the_tag_renders_a_figure_with_caption_svg_and_a_table_of_the_same_numbers():
    chart = bar_chart(title="Omsetning 2023", labels=["Proneo", "Hagen"], values=[1234567, None], unit="kr",
                      value_header="Omsetning")
    html = render(chart)
    assert html.strip().startswith('<figure class="chart">') and html.strip().endswith("</figure>")
    assert "<figcaption>Omsetning 2023</figcaption>" in html
    assert str(chart.svg) in html
    assert "<details" in html and "<summary>" in html
    assert "<caption>Omsetning 2023</caption>" in html
    assert '<th scope="col">Hage</th><th scope="col" class="num">Omsetning</th>' in html
    assert f'<th scope="row">Proneo</th><td class="num">1{NBSP}234{NBSP}567{NBSP}kr</td>' in html
    assert '<th scope="row">Hagen</th><td class="num">–</td>' in html


def test_the_tag_prints_percentages_like_the_chart():
    chart = line_chart(title="Andel", x_labels=["2022", "2023"], series=[("A", [12.5, 10])], unit="%")
    html = render(chart)
    assert f'<th scope="row">2022</th><td class="num">12,5{NBSP}%</td>' in html
    assert f"12,5{NBSP}%" in chart.description
