package flows

import (
	"bytes"
	"fmt"
	"image/color"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/laporbansos/laporbansos/storage"
)

// The chart is sized for a phone screen held upright; 72 dpi makes a point one pixel.
const (
	chartWidth  = 1000
	chartHeight = 1200
	maxChartKec = 12 // kecamatan bars; the rest are summed into "lainnya"
)

// chartStatuses are the stacked segments of a kecamatan's bar, bottom up, with their colours.
var chartStatuses = []struct {
	status storage.Status
	color  color.RGBA
}{
	{storage.StatusSubmitted, color.RGBA{0xf2, 0xa9, 0x00, 0xff}},
	{storage.StatusEligible, color.RGBA{0x2e, 0x86, 0xde, 0xff}},
	{storage.StatusDelivered, color.RGBA{0x27, 0xae, 0x60, 0xff}},
	{storage.StatusIneligible, color.RGBA{0xc0, 0x39, 0x2b, 0xff}},
	{storage.StatusAutoRejected, color.RGBA{0x95, 0xa5, 0xa6, 0xff}},
}

// statsFigures are what STATISTIK shows: reports per kecamatan and status, and SOP compliance
// this week against last.
type statsFigures struct {
	kecamatan               string // "" = all
	names                   []string
	counts                  map[string]map[storage.Status]int
	total                   map[storage.Status]int
	verifyNow, verifyPrev   sop
	deliverNow, deliverPrev sop
}

// figures counts reports (not sanggah) in rs, narrowed to kecamatan code kec when given.
func (e *Engine) figures(rs []*storage.Report, kec, kecName string, now time.Time) statsFigures {
	f := statsFigures{kecamatan: kecName, counts: map[string]map[storage.Status]int{}, total: map[storage.Status]int{}}
	var mine []*storage.Report
	for _, r := range rs {
		if kec != "" && r.KecamatanCode != kec {
			continue
		}
		mine = append(mine, r)
		if r.Kind != storage.KindReport {
			continue
		}
		name := r.Kecamatan
		if name == "" {
			name = "-"
		}
		if f.counts[name] == nil {
			f.counts[name] = map[storage.Status]int{}
		}
		f.counts[name][r.Status]++
		f.total[r.Status]++
	}
	for n := range f.counts {
		f.names = append(f.names, n)
	}
	sum := func(n string) (s int) {
		for _, c := range f.counts[n] {
			s += c
		}
		return s
	}
	sort.Slice(f.names, func(i, j int) bool {
		if a, b := sum(f.names[i]), sum(f.names[j]); a != b {
			return a > b
		}
		return f.names[i] < f.names[j]
	})
	if len(f.names) > maxChartKec {
		rest := map[storage.Status]int{}
		for _, n := range f.names[maxChartKec-1:] {
			for s, c := range f.counts[n] {
				rest[s] += c
			}
		}
		f.names = append(f.names[:maxChartKec-1], msgChartOthers)
		f.counts[msgChartOthers] = rest
	}
	this := weekStart(now)
	prev := this.AddDate(0, 0, -7)
	f.verifyNow, f.deliverNow = e.compliance(mine, this, this.AddDate(0, 0, 7), now)
	f.verifyPrev, f.deliverPrev = e.compliance(mine, prev, this, now)
	return f
}

// caption is the figures in words, sent with the chart.
func (f statsFigures) caption() string {
	scope := ""
	if f.kecamatan != "" {
		scope = " — Kec. " + f.kecamatan
	}
	all := 0
	for _, c := range f.total {
		all += c
	}
	return emphasize(fmt.Sprintf(msgStaffChartCaption, scope, all, f.total[storage.StatusSubmitted], f.total[storage.StatusEligible],
		f.total[storage.StatusDelivered], f.total[storage.StatusIneligible],
		f.verifyNow.words(), f.deliverNow.words(), f.verifyPrev.words(), f.deliverPrev.words()))
}

// chartPNG draws the figures: stacked bars of reports per kecamatan by status above, SOP
// compliance this week against last below.
func (f statsFigures) chartPNG() ([]byte, error) {
	top := plot.New()
	fontSizes(top)
	top.Title.Text = msgStaffChartTitle
	if f.kecamatan != "" {
		top.Title.Text += " — " + f.kecamatan
	}
	top.Y.Label.Text = msgChartYReports
	top.Legend.Top = true
	w := vg.Points(min(float64(chartWidth-160)/float64(max(len(f.names), 1))*0.6, 120))
	var below *plotter.BarChart
	for _, st := range chartStatuses {
		vals := make(plotter.Values, max(len(f.names), 1))
		for i, n := range f.names {
			vals[i] = float64(f.counts[n][st.status])
		}
		b, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return nil, err
		}
		b.Color, b.LineStyle.Width = st.color, 0
		if below != nil {
			b.StackOn(below)
		}
		below = b
		top.Add(b)
		top.Legend.Add(storage.StatusLabel(st.status), b)
	}
	names := f.names
	if len(names) == 0 {
		names = []string{"-"}
	}
	top.NominalX(names...)
	top.X.Tick.Label.Rotation = 0.6
	top.X.Tick.Label.XAlign, top.X.Tick.Label.YAlign = draw.XRight, draw.YCenter

	bottom := plot.New()
	fontSizes(bottom)
	bottom.Title.Text = msgStaffChartSOP
	bottom.Y.Label.Text = "%"
	bottom.Y.Min, bottom.Y.Max = 0, 100
	bottom.Legend.Top = true
	pct := func(s sop) float64 { p, _ := s.percent(); return p }
	bw := vg.Points(80)
	weeks := []struct {
		label  string
		v, d   sop
		color  color.RGBA
		offset vg.Length
	}{
		{msgChartLastWeek, f.verifyPrev, f.deliverPrev, color.RGBA{0xbd, 0xc3, 0xc7, 0xff}, -bw / 2},
		{msgChartThisWeek, f.verifyNow, f.deliverNow, color.RGBA{0x2e, 0x86, 0xde, 0xff}, bw / 2},
	}
	for _, wk := range weeks {
		b, err := plotter.NewBarChart(plotter.Values{pct(wk.v), pct(wk.d)}, bw)
		if err != nil {
			return nil, err
		}
		b.Color, b.LineStyle.Width, b.Offset = wk.color, 0, wk.offset
		bottom.Add(b)
		bottom.Legend.Add(wk.label, b)
	}
	bottom.NominalX(msgChartVerify, msgChartDeliver)

	img := vgimg.NewWith(vgimg.UseWH(vg.Points(chartWidth), vg.Points(chartHeight)), vgimg.UseDPI(72), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadX: vg.Points(20), PadY: vg.Points(30), PadTop: vg.Points(10), PadBottom: vg.Points(10), PadLeft: vg.Points(10), PadRight: vg.Points(20)}
	canvases := plot.Align([][]*plot.Plot{{top}, {bottom}}, tiles, dc)
	top.Draw(canvases[0][0])
	bottom.Draw(canvases[1][0])
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// stats answers STATISTIK [kecamatan]: the chart as an image with the figures as its caption.
// A kecamatan chat sees its own kecamatan unless it names another it may see (none).
func (s *staffTurn) stats(args []string) {
	kec, kecName := "", ""
	if q := strings.TrimSpace(strings.Join(args, " ")); q != "" {
		k, ok := s.e.Area.findKecamatan(q)
		if !ok {
			s.reply(msgStaffChartKecNone, q)
			return
		}
		kec, kecName = k.Code, k.Name
	}
	rs := s.e.inScope(s.m.Chat, s.reports(storage.ReportFilter{}))
	if s.err != nil {
		return
	}
	f := s.e.figures(rs, kec, kecName, s.tx.Now())
	png, err := f.chartPNG()
	if err != nil {
		// The figures still go out in words; the chart is a convenience.
		s.e.Log.Error().Err(err).Msg("statistics chart not drawn")
		s.statsText()
		return
	}
	name := "statistik-" + s.tx.Now().In(wib).Format("20060102-1504") + ".png"
	caption := f.caption()
	if kec == "" { // pengaduan and delivery-confirmation figures are service-wide
		st, err := s.tx.Stats(s.e.VerifySLA, s.e.DeliverySLA)
		if err != nil {
			s.err = err
			return
		}
		line, ok := s.pengaduanLine(st)
		if !ok {
			return
		}
		caption += "\n" + line
	}
	s.out = append(s.out, Reply{To: s.m.Chat, Text: caption, Document: &Document{Name: name, Data: png, Image: true}})
}

// statsText is the whole-service summary in words, for when the chart cannot be drawn.
func (s *staffTurn) statsText() {
	st, err := s.tx.Stats(s.e.VerifySLA, s.e.DeliverySLA)
	if err != nil {
		s.err = err
		return
	}
	rc, sc := st.Counts[storage.KindReport], st.Counts[storage.KindSanggah]
	overdueV := st.OverdueVerification[storage.KindReport] + st.OverdueVerification[storage.KindSanggah]
	s.reply(msgStaffStatsBody,
		msgStaffStats, st.Total(storage.KindReport), rc[storage.StatusSubmitted], rc[storage.StatusEligible], rc[storage.StatusDelivered],
		rc[storage.StatusIneligible], rc[storage.StatusAutoRejected],
		sc[storage.StatusSubmitted], sc[storage.StatusUpheld], sc[storage.StatusDismissed],
		overdueV, words(s.e.VerifySLA), st.OverdueDelivery, words(s.e.DeliverySLA))
	s.pengaduanStats(st)
}

// fontSizes makes the text readable on a phone, where the picture is shown about 400 px wide.
func fontSizes(p *plot.Plot) {
	p.Title.TextStyle.Font.Size = vg.Points(26)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(20)
		a.Tick.Label.Font.Size = vg.Points(18)
	}
	p.Legend.TextStyle.Font.Size = vg.Points(18)
}
