package dashboard

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

var funcs = template.FuncMap{
	"status": func(s storage.Status) string {
		if l, ok := statusLabel[s]; ok {
			return l
		}
		return string(s)
	},
	"kind": func(k storage.Kind) string { return kindLabel[k] },
	"role": func(r storage.Role) string { return roleLabel[r] },
	"wib": func(t time.Time) string {
		if t.IsZero() {
			return "–"
		}
		return t.In(wib).Format("02/01/2006 15:04")
	},
	"percent": func(s SOP) string {
		p, ok := s.Percent()
		if !ok {
			return "–"
		}
		return strconv.Itoa(p) + "%"
	},
	"duration": humanDuration,
	"add":      func(a, b int) int { return a + b },
	"actor": func(a storage.Actor) string {
		switch {
		case a.Name == storage.CitizenActorName:
			return "warga (" + a.Channel + ")"
		case a.Name != "":
			return a.Name + " (" + a.Channel + ")"
		}
		return a.Channel + ":" + a.ID
	},
}

// humanDuration says a duration the way staff say it: "3 jam", "2 hari 4 jam", "25 menit".
func humanDuration(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d menit", int(d/time.Minute))
	case d < 48*time.Hour:
		if m := int(d%time.Hour) / int(time.Minute); m != 0 {
			return fmt.Sprintf("%d jam %d menit", int(d/time.Hour), m)
		}
		return fmt.Sprintf("%d jam", int(d/time.Hour))
	}
	return fmt.Sprintf("%d hari %d jam", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

func parseTemplates() map[string]*template.Template {
	pages, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		if name == "layout" {
			continue
		}
		// Must: the templates are embedded, so a parse error is a build defect that every test
		// trips over, not a runtime condition.
		out[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", p))
	}
	return out
}

// page is what every template receives.
type page struct {
	Agency string
	Nav    string
	User   *storage.User
	CSRF   string
	Data   any
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, a *authed, data any) {
	p := page{Agency: h.cfg.Agency, Nav: name, Data: data}
	if a != nil {
		p.User, p.CSRF = &a.user, a.csrf
	}
	var buf bytes.Buffer
	if err := h.tmpl[name].Execute(&buf, p); err != nil {
		h.log.Error().Err(err).Str("template", name).Msg("dashboard render")
		http.Error(w, msgServerError, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// --- overview

type statusRow struct {
	Kind   storage.Kind
	Status storage.Status
	Count  int
}

type bar struct {
	KecamatanCount
	Y, W, OW int
}

type overviewData struct {
	Now              time.Time
	VerifySLA        time.Duration
	DeliverySLA      time.Duration
	Rows             []statusRow
	TotalReport      int
	TotalSanggah     int
	ThisWeek         Compliance
	LastWeek         Compliance
	OverdueVerify    int
	OverdueDeliver   int
	Bars             []bar
	ChartHeight      int
	Registry         registry.Meta
	RegistryAge      time.Duration
	RegistryImported bool
}

// Chart geometry, in SVG user units: a row per kecamatan, name above its bar.
const (
	chartRow   = 34
	chartBarW  = 200
	chartLimit = 12 // kecamatan shown; the list page has them all
)

func (h *Handler) overview(w http.ResponseWriter, r *http.Request, a *authed) {
	ctx := r.Context()
	now := h.now()
	st, err := h.db.Stats(ctx, h.cfg.VerifySLA, h.cfg.DeliverySLA)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	all, err := h.db.Reports(ctx, storage.ReportFilter{})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d := overviewData{
		Now: now, VerifySLA: h.cfg.VerifySLA, DeliverySLA: h.cfg.DeliverySLA,
		OverdueVerify:  st.OverdueVerification[storage.KindReport] + st.OverdueVerification[storage.KindSanggah],
		OverdueDeliver: st.OverdueDelivery,
	}
	for _, k := range kinds {
		for _, s := range statusOrder[k] {
			d.Rows = append(d.Rows, statusRow{Kind: k, Status: s, Count: st.Count(k, s)})
		}
	}
	d.TotalReport, d.TotalSanggah = st.Total(storage.KindReport), st.Total(storage.KindSanggah)
	this := weekStart(now)
	last := this.AddDate(0, 0, -7)
	d.ThisWeek = compliance(all, this, this.AddDate(0, 0, 7), now, h.cfg.VerifySLA, h.cfg.DeliverySLA)
	d.LastWeek = compliance(all, last, this, now, h.cfg.VerifySLA, h.cfg.DeliverySLA)

	kec := byKecamatan(all, now, h.cfg.VerifySLA, h.cfg.DeliverySLA)
	if len(kec) > chartLimit {
		kec = kec[:chartLimit]
	}
	maxTotal := 1
	for _, k := range kec {
		maxTotal = max(maxTotal, k.Total)
	}
	for i, k := range kec {
		d.Bars = append(d.Bars, bar{KecamatanCount: k, Y: i * chartRow,
			W: max(2, k.Total*chartBarW/maxTotal), OW: k.Overdue * chartBarW / maxTotal})
	}
	d.ChartHeight = len(kec)*chartRow + 4
	if h.reg != nil {
		d.Registry = h.reg.Meta()
		d.RegistryImported = !d.Registry.ImportedAt.IsZero()
		d.RegistryAge = now.Sub(d.Registry.ImportedAt)
	}
	h.render(w, r, http.StatusOK, "overview", a, d)
}

// --- report list

// listFilter is the report list's query, as the form sends it.
type listFilter struct {
	Status    storage.Status
	Kind      storage.Kind
	Kecamatan string
	From, To  string // YYYY-MM-DD, WIB, inclusive
	Overdue   bool
	Page      int

	from, to time.Time // [from, to)
}

func parseFilter(q url.Values) (listFilter, error) {
	f := listFilter{
		Status:    storage.Status(q.Get(filterStatus)),
		Kind:      storage.Kind(q.Get(filterKind)),
		Kecamatan: strings.TrimSpace(q.Get(filterKec)),
		From:      q.Get(filterFrom),
		To:        q.Get(filterTo),
		Overdue:   q.Get(filterOverdue) == "1",
		Page:      1,
	}
	if _, ok := statusLabel[f.Status]; f.Status != "" && !ok {
		return f, fmt.Errorf("status")
	}
	if _, ok := kindLabel[f.Kind]; f.Kind != "" && !ok {
		return f, fmt.Errorf("jenis")
	}
	if f.From != "" {
		t, err := time.ParseInLocation(time.DateOnly, f.From, wib)
		if err != nil {
			return f, fmt.Errorf("tanggal dari")
		}
		f.from = t
	}
	if f.To != "" {
		t, err := time.ParseInLocation(time.DateOnly, f.To, wib)
		if err != nil {
			return f, fmt.Errorf("tanggal sampai")
		}
		f.to = t.AddDate(0, 0, 1)
	}
	if p := q.Get(filterPage); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			return f, fmt.Errorf("halaman")
		}
		f.Page = n
	}
	return f, nil
}

// query is the filter as URL parameters, with page p (0: none).
func (f listFilter) query(p int) string {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set(filterStatus, string(f.Status))
	set(filterKind, string(f.Kind))
	set(filterKec, f.Kecamatan)
	set(filterFrom, f.From)
	set(filterTo, f.To)
	if f.Overdue {
		q.Set(filterOverdue, "1")
	}
	if p > 1 {
		q.Set(filterPage, strconv.Itoa(p))
	}
	return q.Encode()
}

// selectReports returns the reports f selects, newest first.
func (h *Handler) selectReports(r *http.Request, f listFilter) ([]*storage.Report, error) {
	sf := storage.ReportFilter{Kind: f.Kind, Newest: true}
	if f.Status != "" {
		sf.Statuses = []storage.Status{f.Status}
	}
	all, err := h.db.Reports(r.Context(), sf)
	if err != nil {
		return nil, err
	}
	now := h.now()
	out := all[:0]
	for _, rep := range all {
		switch {
		case f.Kecamatan != "" && !strings.EqualFold(rep.Kecamatan, f.Kecamatan):
		case !f.from.IsZero() && rep.CreatedAt.Before(f.from):
		case !f.to.IsZero() && !rep.CreatedAt.Before(f.to):
		case f.Overdue && !overdue(rep, now, h.cfg.VerifySLA, h.cfg.DeliverySLA):
		default:
			out = append(out, rep)
		}
	}
	return out, nil
}

type listRow struct {
	R       *storage.Report
	NIK     string
	Overdue bool
}

type listData struct {
	F           listFilter
	Rows        []listRow
	Total       int
	Page, Pages int
	PrevURL     string
	NextURL     string
	ExportURL   string
	Kecamatan   []string
	Statuses    []storage.Status
	Error       string
}

func (h *Handler) reportList(w http.ResponseWriter, r *http.Request, a *authed) {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, fmt.Sprintf(msgBadFilter, err))
		return
	}
	rs, err := h.selectReports(r, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	kec, err := h.kecamatanNames(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	now := h.now()
	size := h.cfg.PageSize
	d := listData{F: f, Total: len(rs), Page: f.Page, Pages: max(1, (len(rs)+size-1)/size),
		Kecamatan: kec, ExportURL: "/ekspor.csv?" + f.query(0)}
	d.Statuses = append(slices.Clone(statusOrder[storage.KindReport]), storage.StatusUpheld, storage.StatusDismissed,
		storage.StatusInProgress, storage.StatusResolved, storage.StatusRefused)
	start := min((f.Page-1)*size, len(rs))
	for _, rep := range rs[start:min(start+size, len(rs))] {
		d.Rows = append(d.Rows, listRow{R: rep, NIK: nikShown(rep, false),
			Overdue: overdue(rep, now, h.cfg.VerifySLA, h.cfg.DeliverySLA)})
	}
	if f.Page > 1 {
		d.PrevURL = "/laporan?" + f.query(f.Page-1)
	}
	if f.Page < d.Pages {
		d.NextURL = "/laporan?" + f.query(f.Page+1)
	}
	h.render(w, r, http.StatusOK, "list", a, d)
}

// kecamatanNames lists the kecamatan that occur in reports, for the filter's choices.
func (h *Handler) kecamatanNames(r *http.Request) ([]string, error) {
	all, err := h.db.Reports(r.Context(), storage.ReportFilter{})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, rep := range all {
		if rep.Kecamatan != "" && !seen[rep.Kecamatan] {
			seen[rep.Kecamatan] = true
			out = append(out, rep.Kecamatan)
		}
	}
	slices.Sort(out)
	return out, nil
}

// --- one report

type reportData struct {
	R       *storage.Report
	NIK     string
	Phone   string
	Full    bool
	Overdue bool
	Audit   []storage.AuditEntry
	Views   []storage.ViewEntry
}

func (h *Handler) reportPage(w http.ResponseWriter, r *http.Request, a *authed) {
	id := r.PathValue("id")
	full := a.user.Role == storage.RoleSupervisor
	var rep *storage.Report
	var err error
	if full {
		// The view and its record commit together: no full record is shown unrecorded.
		rep, err = h.db.ReportForView(r.Context(), id, a.user.Name)
	} else {
		rep, err = h.db.Report(r.Context(), id)
	}
	if errors.Is(err, storage.ErrNotFound) {
		h.fail(w, r, http.StatusNotFound, msgReportMissing)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d := reportData{R: rep, Full: full, NIK: nikShown(rep, full), Phone: rep.Phone,
		Overdue: overdue(rep, h.now(), h.cfg.VerifySLA, h.cfg.DeliverySLA)}
	if !full {
		d.Phone = maskPhone(rep.Phone)
	}
	audit, err := h.db.Audit(r.Context(), rep.CreatedAt)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, e := range audit {
		if e.Report == rep.ID {
			d.Audit = append(d.Audit, e)
		}
	}
	views, err := h.db.Views(r.Context(), rep.CreatedAt, 0)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, v := range views {
		if v.Report == rep.ID {
			d.Views = append(d.Views, v)
		}
	}
	h.render(w, r, http.StatusOK, "report", a, d)
}

// maskPhone keeps the country and operator prefix and the last four digits: "62812****5678".
func maskPhone(p string) string {
	if len(p) < 9 {
		return strings.Repeat("*", len(p))
	}
	return p[:5] + strings.Repeat("*", len(p)-9) + p[len(p)-4:]
}

// --- audit log

const auditPageSize = 50

type auditData struct {
	Entries     []storage.AuditEntry
	Views       []storage.ViewEntry
	Page, Pages int
}

func (h *Handler) auditLog(w http.ResponseWriter, r *http.Request, a *authed) {
	pg := 1
	if p := r.URL.Query().Get(filterPage); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			h.fail(w, r, http.StatusBadRequest, fmt.Sprintf(msgBadFilter, "halaman"))
			return
		}
		pg = n
	}
	all, err := h.db.Audit(r.Context(), time.Time{})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	slices.Reverse(all)
	d := auditData{Page: pg, Pages: max(1, (len(all)+auditPageSize-1)/auditPageSize)}
	start := min((pg-1)*auditPageSize, len(all))
	d.Entries = all[start:min(start+auditPageSize, len(all))]
	if d.Views, err = h.db.Views(r.Context(), time.Time{}, auditPageSize); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "audit", a, d)
}

// --- export

// export writes the filtered reports as the CLI's CSV (storage.WriteCSV, formula cells
// neutralised). Viewers get NIK and phone masked; a supervisor's export is recorded as a full
// view of every report in it.
func (h *Handler) export(w http.ResponseWriter, r *http.Request, a *authed) {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, fmt.Sprintf(msgBadFilter, err))
		return
	}
	rs, err := h.selectReports(r, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	slices.Reverse(rs) // creation order, as the CLI writes it
	if a.user.Role == storage.RoleSupervisor {
		err := h.db.Update(r.Context(), func(tx storage.Tx) error {
			for _, rep := range rs {
				if err := tx.RecordView(a.user.Name, rep.ID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			h.serverError(w, r, err)
			return
		}
	} else {
		for i, rep := range rs {
			cp := *rep
			cp.NIK, cp.Phone = registry.NIK(rep.NIK).Masked(), maskPhone(rep.Phone)
			rs[i] = &cp
		}
	}
	var buf bytes.Buffer
	if err := storage.WriteCSV(&buf, rs, storage.DefaultExportOptions()); err != nil {
		h.serverError(w, r, err)
		return
	}
	name := "laporan-" + h.now().In(wib).Format("20060102-1504") + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, _ = w.Write(buf.Bytes())
}
