package whatsapp

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/storage"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
)

func TestStatistikSendsImage(t *testing.T) {
	h := newHarness(t)
	fileReport(t, h.citizenSay(pn(citizenPN)), citizenNIK)
	h.textsTo(staffGroup)
	got := h.staff(staffGroup, pn(staffPN), types.JID{}, "STATISTIK")
	if !strings.Contains(got, "[image image/png]") || !strings.Contains(got, "Statistik Lapor Bansos") {
		t.Fatalf("STATISTIK in the group: %q", got)
	}
	if len(h.fake.mediaTypes) != 1 || h.fake.mediaTypes[0] != whatsmeow.MediaImage {
		t.Errorf("uploaded as %v, want one image", h.fake.media)
	}
}

// A burst of new reports reaches a staff group paced at one message per 2 s as a numbered
// digest rather than one post (and poll) each.
func TestBurstDigestAsNumberedList(t *testing.T) {
	h := newHarness(t, func(o *Options, _ *harness) {
		o.Limits = &bot.Limits{PerGroup: 2 * time.Second, IsGroup: func(a storage.ChatAddr) bool { return strings.HasSuffix(a.ID, "@g.us") }}
	})
	h.sender.DigestBacklog = time.Second
	niks := []string{"3510091506800004", "3510095507750005", "3510091506800012", "3510091506800020", "3510091506800039"}
	var ids []string
	for i, nik := range niks {
		ids = append(ids, fileReport(t, h.citizenSay(pn(fmt.Sprintf("6281234560%03d", i))), nik))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.sender.Flush(ctx, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	got := h.textsTo(staffGroup)
	for _, id := range ids {
		if !strings.Contains(got, id) {
			t.Errorf("%s not seen in the staff group:\n%s", id, got)
		}
	}
	if !strings.Contains(got, "laporan baru* (dirangkum") || !strings.Contains(got, "\n2. ") || !strings.Contains(got, "Ketik: LAYAK <no>") {
		t.Fatalf("no numbered digest:\n%s", got)
	}
	if polls := strings.Count(got, "[poll]"); polls >= len(ids) {
		t.Errorf("%d polls for %d reports: the digest should save them", polls, len(ids))
	}
}
