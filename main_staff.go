package main

import (
	"strconv"

	"github.com/laporbansos/laporbansos/flows"
)

// routes reads LAPOR_STAFF_ROUTES (checked by config already).
func (m *Main) routes() flows.Routes {
	rs, err := flows.ParseRoutes(m.cfg.StaffRoutes)
	if err != nil {
		// config.Load refused a malformed value, so this is unreachable in practice.
		m.log.Error().Err(err).Msg("LAPOR_STAFF_ROUTES ignored")
		return nil
	}
	return rs
}

// telegramStaffChats are the supervisors' Telegram chats and the kecamatan chats routed to
// Telegram: the channel treats both as staff chats; the workflow tells them apart.
func (m *Main) telegramStaffChats() []int64 {
	out := append([]int64(nil), m.cfg.Telegram.StaffChats...)
	for _, c := range m.routes().Chats() {
		if c.Channel != "telegram" {
			continue
		}
		if id, err := strconv.ParseInt(c.ID, 10, 64); err == nil && !containsInt(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// whatsappStaffGroups is the same for WhatsApp groups.
func (m *Main) whatsappStaffGroups() []string {
	out := append([]string(nil), m.cfg.WhatsApp.StaffGroups...)
	for _, c := range m.routes().Chats() {
		if c.Channel == "whatsapp" && !containsString(out, c.ID) {
			out = append(out, c.ID)
		}
	}
	return out
}

func containsInt(xs []int64, x int64) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func containsString(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
