package wacloud

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/laporbansos/laporbansos/flows"
)

// inImage and inLocation are the webhook's "image" and "location" objects.
type inImage struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
}

type inLocation struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// mediaInfo is GET /<media id>: where the file is and how big.
type mediaInfo struct {
	URL      string `json:"url"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	FileSize int64  `json:"file_size"`
}

// evidence fetches an image (media id → its URL → the bytes, both with the token) before the
// step runs, and takes a shared location. An image whose declared size exceeds
// flows.MaxPhotoBytes is not downloaded.
func (c *Channel) evidence(ctx context.Context, im inMessage, m *flows.Message) {
	switch {
	case im.Type == "location" && im.Location != nil:
		m.Location = &flows.Location{Lat: im.Location.Latitude, Lon: im.Location.Longitude}
	case im.Type == "image" && im.Image != nil:
		data, ext, err := c.media(ctx, im.Image.ID)
		switch {
		case err == errMediaTooBig:
			m.Photo = &flows.Photo{TooBig: true}
		case err != nil:
			c.opt.Log.Warn().Err(err).Msg("image download failed")
			m.Photo = &flows.Photo{}
		default:
			m.Photo = &flows.Photo{Data: data, Ext: ext}
		}
	}
}

var errMediaTooBig = fmt.Errorf("wacloud: image larger than %d bytes", flows.MaxPhotoBytes)

func (c *Channel) media(ctx context.Context, id string) ([]byte, string, error) {
	if id == "" || strings.ContainsAny(id, "/?#") {
		return nil, "", fmt.Errorf("wacloud: bad media id")
	}
	var info mediaInfo
	body, err := c.get(ctx, c.opt.APIURL+"/"+url.PathEscape(id), 64<<10)
	if err != nil {
		return nil, "", err
	}
	if err := json.Unmarshal(body, &info); err != nil || info.URL == "" {
		return nil, "", fmt.Errorf("wacloud: media info unreadable")
	}
	if info.FileSize > flows.MaxPhotoBytes {
		return nil, "", errMediaTooBig
	}
	data, err := c.get(ctx, info.URL, flows.MaxPhotoBytes)
	if err != nil {
		return nil, "", err
	}
	if sum := sha256.Sum256(data); info.SHA256 != "" && hex.EncodeToString(sum[:]) != info.SHA256 {
		return nil, "", fmt.Errorf("wacloud: media hash mismatch")
	}
	ext := "jpg"
	if strings.HasSuffix(info.MimeType, "/png") {
		ext = "png"
	}
	return data, ext, nil
}

// get reads a Graph API or media URL with the token, at most limit bytes (errMediaTooBig past it).
func (c *Channel) get(ctx context.Context, u string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.opt.Token)
	resp, err := c.opt.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("wacloud: media GET: %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, errMediaTooBig
	}
	return data, nil
}
