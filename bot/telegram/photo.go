package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

// photoTimeout bounds one getFile and download: the citizen's chat waits on it, others do not.
const photoTimeout = 30 * time.Second

// evidence fills in a photo (or an image sent as a file) and a location, fetched before the
// step runs so the engine stores the bytes in the same step as the record of them. A photo the
// platform declares bigger than flows.MaxPhotoBytes is not downloaded at all.
func (c *Channel) evidence(ctx context.Context, m *tgbotapi.Message, fm *flows.Message) {
	if m.Location != nil {
		fm.Location = &flows.Location{Lat: m.Location.Latitude, Lon: m.Location.Longitude}
		return
	}
	var id string
	var size int
	switch {
	case len(m.Photo) > 0:
		// Telegram sends every size it made; the last is the largest.
		p := m.Photo[len(m.Photo)-1]
		id, size = p.FileID, p.FileSize
	case m.Document != nil && strings.HasPrefix(m.Document.MimeType, "image/"):
		id, size = m.Document.FileID, m.Document.FileSize
		fm.NonText = "photo"
	default:
		return
	}
	if size > flows.MaxPhotoBytes {
		fm.Photo = &flows.Photo{TooBig: true}
		return
	}
	data, ext, err := c.download(ctx, id)
	switch {
	case err == errTooBig:
		fm.Photo = &flows.Photo{TooBig: true}
	case err != nil:
		// The citizen is asked to send it again; the message itself is handled once.
		c.log.Warn().Str("err", redact(err, c.opt.Token)).Msg("photo download failed")
		fm.Photo = &flows.Photo{}
	default:
		fm.Photo = &flows.Photo{Data: data, Ext: ext}
	}
}

var errTooBig = fmt.Errorf("telegram: photo larger than %d bytes", flows.MaxPhotoBytes)

// download fetches a file with getFile and the Bot API's file URL, reading at most
// flows.MaxPhotoBytes whatever the declared size.
func (c *Channel) download(ctx context.Context, fileID string) ([]byte, string, error) {
	ctx, cancel := context.WithTimeout(ctx, photoTimeout)
	defer cancel()
	f, err := c.bound(ctx).GetFile(tgbotapi.FileConfig{FileID: fileID})
	if err != nil {
		return nil, "", err
	}
	if f.FileSize > flows.MaxPhotoBytes {
		return nil, "", errTooBig
	}
	// Not f.Link: it names api.telegram.org whatever server the bot talks to.
	url := c.opt.APIURL + "/file/bot" + c.opt.Token + "/" + f.FilePath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("telegram: file download: %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, flows.MaxPhotoBytes+1))
	if err != nil {
		return nil, "", err
	}
	if len(data) > flows.MaxPhotoBytes {
		return nil, "", errTooBig
	}
	return data, strings.TrimPrefix(path.Ext(f.FilePath), "."), nil
}

// sendPhoto sends a stored photo, read from the store whichever instance took it, with the
// reply's text as its caption, to staff chats only: a photo reference addressed anywhere else,
// or one whose photo is gone (purged), is sent as its caption alone. A store that cannot be
// read is an error the sender retries.
func (c *Channel) sendPhoto(ctx context.Context, chat int64, r flows.Reply) error {
	var data []byte
	var err error
	if c.staff[chat] {
		data, err = flows.ReadPhoto(ctx, c.opt.DB, r.Photo)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("telegram: read stored photo: %w", err)
		}
		if err != nil {
			// The caption still tells staff a photo was sent.
			c.log.Warn().Err(err).Str("report", r.Report).Msg("stored photo gone")
		}
	}
	if data == nil {
		r.Photo = nil
		_, _, err := c.sendMessage(ctx, chat, r)
		return err
	}
	text, ents := render(r.Text, maxCaption)
	cfg := tgbotapi.NewPhoto(chat, tgbotapi.FileBytes{Name: r.Photo.File(), Bytes: data})
	cfg.Caption = text
	cfg.CaptionEntities = ents
	_, err = c.bound(ctx).Send(cfg)
	return err
}
