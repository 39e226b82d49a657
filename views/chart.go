package views

import (
	"cmp"
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// ChartLayer is one stacked series of a bar chart (a status).
type ChartLayer struct {
	Name  string // shown in the legend and tooltips
	Class string // CSS class of its bars and swatch, e.g. "bar-deliverable"
}

// ChartColumn is one period's input: its labels and one value per layer.
type ChartColumn struct {
	Label  string // short, under the axis: "24 Nov"
	Full   string // in the tooltip: "24 Nov 2026"
	Values []int
	// Tip, when set, is the whole tooltip (for values that are not
	// verification counts).
	Tip string
}

// BarChartInput is what a stacked bar chart shows.
type BarChartInput struct {
	ID     string // prefix of the SVG's element ids
	Title  string
	Desc   string // what the chart shows, for screen readers
	Layers []ChartLayer
	Cols   []ChartColumn
	// Suffix follows each y tick ("%" for shares).
	Suffix string
	// EmptyText is shown over a chart with nothing in it (default: no
	// verifications in this period).
	EmptyText string
}

// BarChart is a stacked bar chart laid out for SVG: every coordinate is
// computed here from numbers, and rendered by the Chart component.
type BarChart struct {
	ID, Title, Desc string
	Width, Height   int
	Layers          []ChartLayer
	Cols            []chartCol
	YTicks          []chartTick
	XLabels         []chartTick
	Empty           bool
	EmptyText       string
	Left, Right     string // plot edges, for the grid lines
	Baseline        string
}

type chartCol struct {
	Tip  string // tooltip: the period and its counts
	X, W string // the hover band
	Top  string
	H    string
	Bars []chartBar
}

type chartBar struct {
	Class      string
	X, Y, W, H string
}

type chartTick struct {
	Pos   string // y of a tick line or x of a label
	Label string
}

const (
	chartWidth, chartHeight                    = 720, 240
	chartPadL, chartPadR, chartPadT, chartPadB = 48, 8, 10, 26
	chartMaxLabels                             = 8
)

// NewBarChart lays out a stacked bar chart: bars from the bottom up in the
// order of the layers, a y axis with round ticks, at most eight x labels.
func NewBarChart(in BarChartInput) BarChart {
	c := BarChart{ID: in.ID, Title: in.Title, Desc: in.Desc, Width: chartWidth, Height: chartHeight, Layers: in.Layers,
		EmptyText: cmp.Or(in.EmptyText, "No verifications in this period")}
	plotW, plotH := float64(chartWidth-chartPadL-chartPadR), float64(chartHeight-chartPadT-chartPadB)
	bottom := float64(chartPadT) + plotH
	c.Left, c.Right, c.Baseline = num(chartPadL), num(chartWidth-chartPadR), num(bottom)
	peak := 0
	for _, col := range in.Cols {
		peak = max(peak, sum(col.Values))
	}
	c.Empty = peak == 0
	step := niceStep(float64(max(peak, 1)) / 4)
	top := step * math.Ceil(float64(max(peak, 1))/step)
	for v := 0.0; v <= top+step/2; v += step {
		c.YTicks = append(c.YTicks, chartTick{Pos: num(bottom - v/top*plotH), Label: Thousands(int(v)) + in.Suffix})
	}
	n := len(in.Cols)
	if n == 0 {
		return c
	}
	band := plotW / float64(n)
	barW := math.Max(math.Min(band*0.72, 36), 1)
	every := (n + chartMaxLabels - 1) / chartMaxLabels
	for i, col := range in.Cols {
		x := float64(chartPadL) + float64(i)*band
		cc := chartCol{X: num(x), W: num(band), Top: num(chartPadT), H: num(plotH), Tip: cmp.Or(col.Tip, tooltip(col, in.Layers))}
		y := bottom
		for j, v := range col.Values {
			if v <= 0 || j >= len(in.Layers) {
				continue
			}
			h := float64(v) / top * plotH
			y -= h
			cc.Bars = append(cc.Bars, chartBar{Class: in.Layers[j].Class, X: num(x + (band-barW)/2), Y: num(y), W: num(barW), H: num(math.Max(h, 0.5))})
		}
		c.Cols = append(c.Cols, cc)
		if i%every == 0 {
			c.XLabels = append(c.XLabels, chartTick{Pos: num(x + band/2), Label: col.Label})
		}
	}
	return c
}

func tooltip(col ChartColumn, layers []ChartLayer) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", col.Full, plural(sum(col.Values), "verification"))
	for j, v := range col.Values {
		if j < len(layers) && v > 0 {
			fmt.Fprintf(&b, "\n%s: %s", layers[j].Name, Thousands(v))
		}
	}
	return b.String()
}

// niceStep rounds a raw tick step up to 1, 2 or 5 times a power of ten
// (at least 1: counts are whole).
func niceStep(raw float64) float64 {
	if raw <= 1 {
		return 1
	}
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			return m * pow
		}
	}
	return 10 * pow
}

func sum(vs []int) int {
	t := 0
	for _, v := range vs {
		t += v
	}
	return t
}

func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// Thousands formats n with thousands separators: 12,345 (x/text knows
// each language's grouping; the pages are in English).
func Thousands(n int) string { return message.NewPrinter(language.English).Sprintf("%d", n) }

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return Thousands(n) + " " + word + "s"
}
