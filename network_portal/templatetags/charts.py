"""`{% load charts %}{% chart c %}`: a chart from network_portal.charts as a figure with its numbers."""

from django import template

from network_portal.charts import Chart, format_value

register = template.Library()


@register.inclusion_tag("network_portal/_chart.html")
def chart(c: Chart) -> dict:
    """Render a Chart as <figure>: caption, the SVG, and the same figures as a table under "Show the numbers"."""
    # The cells are formatted here, with the chart's own formatter, so the table and the bars never disagree.
    rows = [(row[0], [format_value(value, c.unit) for value in row[1:]]) for row in c.rows]
    return {"chart": c, "rows": rows}
