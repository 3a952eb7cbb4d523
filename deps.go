//go:build tools

package main

import (
	_ "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	_ "github.com/looplab/fsm"
	_ "github.com/mdp/qrterminal/v3"
	_ "github.com/rs/zerolog"
	_ "go.etcd.io/bbolt"
	_ "go.mau.fi/whatsmeow"
	_ "golang.org/x/time/rate"
	_ "modernc.org/sqlite"
)
