package main

import (
	"image/color"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

var (
	higherBetterColor = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff} // blue
	lowerBetterColor  = color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff} // orange
)

// writeRatioChart draws one horizontal bar per row that has numbers for
// both servers: nebredis's median over redis-server's, with a line at 1.
// Bars are coloured by which way is better, since a ratio above 1 is good
// for requests per second and bad for bytes or seconds.
func writeRatioChart(path string, rows []row) error {
	var labels []string
	var higher, lower plotter.Values
	// gonum draws bar 0 at the bottom; walk the rows backwards so the
	// chart reads top-down in the table's order.
	for i := len(rows) - 1; i >= 0; i-- {
		r := &rows[i]
		v, ok := r.ratio()
		if !ok {
			continue
		}
		labels = append(labels, chartLabel(r))
		if r.Metric.HigherBetter {
			higher, lower = append(higher, v), append(lower, 0)
		} else {
			higher, lower = append(higher, 0), append(lower, v)
		}
	}

	p := plot.New()
	p.Title.Text = "nebredis / redis-server"
	p.X.Label.Text = "ratio of medians (1 = equal)"
	p.X.Min = 0
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	if len(labels) == 0 {
		// Still write a picture, so a run where nothing compares is seen.
		p.Title.Text += ": no row has numbers for both servers"
		return savePNG(p, 8*vg.Inch, 2*vg.Inch, path)
	}

	p.Add(plotter.NewGrid()) // first, so the bars are drawn over it
	barWidth := vg.Points(11)
	for _, group := range []struct {
		values plotter.Values
		color  color.Color
		legend string
	}{
		{higher, higherBetterColor, "higher is better (req/s)"},
		{lower, lowerBetterColor, "lower is better (bytes, seconds)"},
	} {
		if !slices.ContainsFunc(group.values, func(v float64) bool { return v != 0 }) {
			continue
		}
		bars, err := plotter.NewBarChart(group.values, barWidth)
		if err != nil {
			return err
		}
		bars.Horizontal = true
		bars.Color = group.color
		bars.LineStyle.Width = 0
		p.Add(bars)
		p.Legend.Add(group.legend, bars)
	}

	// Each bar's ratio written beside it.
	var points plotter.XYs
	var texts []string
	maxRatio := 1.0
	for i := range labels {
		v := math.Max(higher[i], lower[i])
		maxRatio = math.Max(maxRatio, v)
		points = append(points, plotter.XY{X: v, Y: float64(i)})
		texts = append(texts, " "+strconv.FormatFloat(v, 'f', 2, 64))
	}
	values, err := plotter.NewLabels(plotter.XYLabels{XYs: points, Labels: texts})
	if err != nil {
		return err
	}
	for i := range values.TextStyle {
		values.TextStyle[i].YAlign = draw.YCenter
		values.TextStyle[i].Font.Size = vg.Points(8)
	}
	p.Add(values)

	equal, err := plotter.NewLine(plotter.XYs{{X: 1, Y: -0.5}, {X: 1, Y: float64(len(labels)) - 0.5}})
	if err != nil {
		return err
	}
	equal.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	equal.LineStyle.Color = color.Gray{Y: 0x60}
	p.Add(equal)

	p.X.Max = maxRatio * 1.15 // room for the value labels
	p.X.Tick.Marker = ratioTicks(p.X.Max)
	// Two empty rows above the bars hold the legend, which gonum draws
	// inside the data area.
	p.NominalY(append(labels, "", "")...)
	p.Y.Max = float64(len(labels)) + 1.5
	height := vg.Length(len(labels)+2)*vg.Points(16) + 1.5*vg.Inch
	return savePNG(p, 9*vg.Inch, height, path)
}

// savePNG draws p with a margin on every side (gonum's Save puts the
// longest tick label and the legend flush against the picture's edges,
// where a pixel of them is lost) and writes it as a PNG.
func savePNG(p *plot.Plot, w, h vg.Length, path string) error {
	img := vgimg.New(w, h)
	margin := vg.Points(8)
	p.Draw(draw.Crop(draw.New(img), margin, -margin, margin, -margin))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ratioTicks marks every 0.25 and labels every 0.5, so that 1 (equal) is
// always labelled, which gonum's default ticks do not promise.
func ratioTicks(max float64) plot.ConstantTicks {
	var ticks plot.ConstantTicks
	for i := 0; float64(i)*0.25 <= max; i++ {
		v := float64(i) * 0.25
		label := ""
		if i%2 == 0 {
			label = strconv.FormatFloat(v, 'f', 1, 64)
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	return ticks
}

// chartLabel names a row in the chart: its test, and the metric when the
// test has more than one (memory's RSS and used_memory). A note on a
// server's numbers comes along, since the chart has no other place for it.
func chartLabel(r *row) string {
	label := r.Test
	if r.Metric.Name != "" && !strings.Contains(r.Test, r.Metric.Name) {
		label += " " + r.Metric.Name
	}
	for _, k := range bothKinds {
		if note := r.outcome(k).Note; note != "" {
			label += " (" + string(k) + " " + note + ")"
		}
	}
	return label
}
