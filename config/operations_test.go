package config

import (
	"strings"
	"testing"
	"time"
)

func TestRetention(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		words   string
		wantErr string
	}{
		{"", 2 * 365 * day, "2 tahun", ""},
		{"2 tahun", 2 * 365 * day, "2 tahun", ""},
		{"5 Tahun", 5 * 365 * day, "5 tahun", ""},
		{"18 bulan", 18 * 30 * day, "18 bulan", ""},
		{"90 hari", 90 * day, "90 hari", ""},
		{"2 minggu", 14 * day, "2 minggu", ""},
		{"1y", 365 * day, "1 tahun", ""},
		{"17520h", 730 * day, "2 tahun", ""},
		{"2160h", 90 * day, "3 bulan", ""},
		{"36h", 36 * time.Hour, "36 jam", ""},
		{"1h", 0, "", "too short"},
		{"selamanya", 0, "", "not a period"},
		{"0 tahun", 0, "", "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := Load(env(map[string]string{"LAPOR_RETENTION": tt.in}))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "LAPOR_RETENTION") {
					t.Fatalf("Load = %v, want an error about LAPOR_RETENTION saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.RetentionPeriod != tt.want || c.Retention != tt.words {
				t.Errorf("retention = %s %q, want %s %q", c.RetentionPeriod, c.Retention, tt.want, tt.words)
			}
		})
	}
}

func TestOperations(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    Operations
		wantErr string
	}{
		{"defaults", nil, Operations{HTTPListen: "127.0.0.1:8080", BackupEvery: 6 * time.Hour, BackupKeep: 28}, ""},
		{"off", map[string]string{"LAPOR_HTTP_LISTEN": "off"}, Operations{BackupEvery: 6 * time.Hour, BackupKeep: 28}, ""},
		{"all interfaces", map[string]string{"LAPOR_HTTP_LISTEN": ":9090", "LAPOR_BACKUP_DIR": "/var/backups/lapor", "LAPOR_BACKUP_EVERY": "1h", "LAPOR_BACKUP_KEEP": "48"},
			Operations{HTTPListen: ":9090", BackupDir: "/var/backups/lapor", BackupEvery: time.Hour, BackupKeep: 48}, ""},
		{"no port", map[string]string{"LAPOR_HTTP_LISTEN": "localhost"}, Operations{}, "LAPOR_HTTP_LISTEN"},
		{"keep zero", map[string]string{"LAPOR_BACKUP_KEEP": "0"}, Operations{}, "LAPOR_BACKUP_KEEP"},
		{"every too short", map[string]string{"LAPOR_BACKUP_EVERY": "10s"}, Operations{}, "LAPOR_BACKUP_EVERY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load = %v, want an error naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Ops != tt.want {
				t.Errorf("Ops = %+v, want %+v", c.Ops, tt.want)
			}
		})
	}
}
