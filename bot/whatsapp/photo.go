package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

// evidence fills in a citizen's image (downloaded and decrypted on this worker, before the
// step runs) or shared location. An image WhatsApp declares bigger than flows.MaxPhotoBytes is
// not downloaded.
func (c *Channel) evidence(ctx context.Context, msg *waE2E.Message, m *flows.Message) {
	if l := msg.GetLocationMessage(); l != nil {
		m.Location = &flows.Location{Lat: l.GetDegreesLatitude(), Lon: l.GetDegreesLongitude()}
		return
	}
	if l := msg.GetLiveLocationMessage(); l != nil {
		m.Location = &flows.Location{Lat: l.GetDegreesLatitude(), Lon: l.GetDegreesLongitude()}
		return
	}
	img := msg.GetImageMessage()
	if img == nil {
		return
	}
	if img.GetFileLength() > flows.MaxPhotoBytes {
		m.Photo = &flows.Photo{TooBig: true}
		return
	}
	data, err := c.cli().Download(ctx, img)
	switch {
	case err != nil:
		// The citizen is asked to send it again; the message itself is handled once.
		c.log.Warn().Err(err).Msg("image download failed")
		m.Photo = &flows.Photo{}
	case len(data) > flows.MaxPhotoBytes:
		m.Photo = &flows.Photo{TooBig: true}
	default:
		ext := "jpg"
		if strings.HasSuffix(img.GetMimetype(), "/png") {
			ext = "png"
		}
		m.Photo = &flows.Photo{Data: data, Ext: ext}
	}
}

// image uploads a stored photo, read from the store whichever instance took it, and builds the
// message that carries it, for a staff group; nil when the photo is gone (purged): the caption
// then goes as text. A store that cannot be read is an error the sender retries.
func (c *Channel) image(ctx context.Context, ref *flows.PhotoRef, caption string) (*waE2E.Message, error) {
	data, err := flows.ReadPhoto(ctx, c.store, ref)
	if errors.Is(err, storage.ErrNotFound) {
		c.log.Warn().Err(err).Msg("stored photo gone")
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read stored photo: %w", err)
	}
	return c.imageMessage(ctx, data, "image/jpeg", caption)
}

// imageMessage uploads a picture (a stored photo, the STATISTIK chart) and builds the message
// that shows it with its caption.
func (c *Channel) imageMessage(ctx context.Context, data []byte, mime, caption string) (*waE2E.Message, error) {
	up, err := c.cli().Upload(ctx, data, whatsmeow.MediaImage)
	if err != nil {
		return nil, err
	}
	return &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
		URL:           proto.String(up.URL),
		DirectPath:    proto.String(up.DirectPath),
		MediaKey:      up.MediaKey,
		FileEncSHA256: up.FileEncSHA256,
		FileSHA256:    up.FileSHA256,
		FileLength:    proto.Uint64(up.FileLength),
		Mimetype:      proto.String(mime),
		Caption:       proto.String(caption),
	}}, nil
}
