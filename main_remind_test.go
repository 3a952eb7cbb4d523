package main

import (
	"testing"
	"time"
)

func TestRemindTickDividesThePeriod(t *testing.T) {
	cases := []struct {
		every, tick time.Duration
	}{
		{time.Minute, time.Minute},
		{30 * time.Second, 30 * time.Second},
		{90 * time.Second, 45 * time.Second},
		{time.Hour, time.Minute},
		{0, time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.every.String(), func(t *testing.T) {
			got := remindTick(tc.every)
			if got != tc.tick {
				t.Fatalf("remindTick(%v) = %v, want %v", tc.every, got, tc.tick)
			}
			if tc.every > 0 && tc.every%got != 0 {
				t.Fatalf("tick %v does not divide %v", got, tc.every)
			}
		})
	}
}
