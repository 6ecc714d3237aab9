"""Pictures of a neuron and a network: drawn from the example's numbers, readable without
colour or sight (a description and a table say everything the picture shows)."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tutor.engine import network, neuron
from tutor.render.diagrams import network_diagram, neuron_diagram
from tutor.render.numbers import text_num as num


def svg_of(figure) -> BeautifulSoup:
    return BeautifulSoup(str(figure.svg), "html.parser").svg


def test_the_neuron_picture_carries_every_number_of_its_example():
    f = neuron.forward([0.8, 0.3], [1.5, -2.0], 0.1)
    figure = neuron_diagram("n", f.x, f.w, f.b, f.z, f.p, ["whiskers", "collar"])
    svg = svg_of(figure)
    assert svg["role"] == "img" and svg.title.get_text() == figure.title
    text = svg.get_text(" ")
    for value in (0.8, 0.3, 1.5, -2.0, f.z, f.p):
        assert num(value) in text
    assert "whiskers" in text and "collar" in text
    # The bias is named beside its value: "+ b −0.5" read as "plus b minus 0.5".
    assert f"+ bias {num(f.b)}" in text
    # The negative weight is drawn dashed and says so in words, not by colour alone.
    assert len(svg.select("line.edge[stroke-dasharray]")) == 1
    assert "weight \u22122 (negative, drawn dashed)" in figure.caption
    assert f"= {num(f.z)}" in figure.caption and f"p = {num(f.p)}" in figure.caption
    # A negative term of the sum is bracketed: "+ −2 × 0.3" reads as two signs at once.
    assert "z = 1.5 × 0.8 + (\u22122) × 0.3 + 0.1 = " in figure.caption
    assert [row[0] for row in figure.table.rows] == ["whiskers", "collar"]


def test_the_network_picture_shows_the_backward_pass_on_its_connections():
    net = network.Network.of([[0.5, -0.4], [0.3, 0.8]], [0.1, -0.2], [1.2, -0.7], 0.05)
    f, b = network.forward(net, [1.0, 2.0]), network.backward(net, [1.0, 2.0], 1)
    plain = network_diagram("a", f.as_dict(), net.as_dict())
    assert "∂" not in svg_of(plain).get_text() and plain.table.columns[-1] == "weight"
    figure = network_diagram("b", f.as_dict(), net.as_dict(), b.as_dict(), ["size", "age"])
    text = svg_of(figure).get_text(" ")
    assert f"∂ {num(b.dw1[1][0])}" in text and f"∂ {num(b.dw2[0])}" in text
    assert f"p = {num(f.p)}" in text
    assert len(figure.table.rows) == 6 and figure.table.columns[-1] == "gradient"
    assert f"the output's blame is p − y = {num(b.dz2)}" in figure.caption
    assert "the weight from age to hidden unit 1 is \u22120.4" in figure.caption


def test_the_network_description_reads_as_sentences():
    net = network.Network.of([[0.5, -0.4], [0.3, 0.8]], [0.1, -0.2], [1.2, -0.7], 0.05)
    f, b = network.forward(net, [1.0, 2.0]), network.backward(net, [1.0, 2.0], 1)
    caption = network_diagram("c", f.as_dict(), net.as_dict(), b.as_dict()).caption
    sentences = [s for s in caption.split(". ") if s]
    assert all(s[0].isupper() for s in sentences), caption
    assert "  " not in caption and caption.endswith(".")
