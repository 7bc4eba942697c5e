package scimcheck

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// maxBody bounds what is read of an answer (and kept of a request).
const maxBody = 4 << 20

// runner holds what every check of one run shares.
type runner struct {
	cfg   Config
	base  string // the URL without query and trailing slash
	hc    *http.Client
	rep   *Report
	runID string

	mu      sync.Mutex
	created []string // paths of the objects created, in order
}

func newRunner(cfg Config) (*runner, error) {
	if cfg.URL == "" {
		return nil, errors.New("scimcheck: Config.URL is required")
	}
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("scimcheck: Config.URL: %w", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("scimcheck: Config.URL %q: want https://host/path (Entra only connects over https)", cfg.URL)
	}
	u.RawQuery, u.Fragment = "", ""
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{
			Proxy:             http.ProxyFromEnvironment,
			TLSClientConfig:   &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12},
			ForceAttemptHTTP2: true,
		}}
	}
	return &runner{
		cfg:   cfg,
		base:  strings.TrimSuffix(u.String(), "/"),
		hc:    hc,
		rep:   &Report{URL: cfg.URL, Write: cfg.Write},
		runID: randomHex(4),
	}, nil
}

// response is an answer as the checks look at it.
type response struct {
	status int
	header http.Header
	body   map[string]any // nil when the body is not a JSON object
	raw    string
	err    error // transport error: no answer
	ex     Exchange
}

func (res *response) scimType() string {
	if res == nil || res.body == nil {
		return ""
	}
	s, _ := res.body["scimType"].(string)
	return s
}

// send makes one request. It is not cut short by ctx: a request either
// completes (so whatever it created is known and deleted) or is not sent.
func (r *runner) send(ctx context.Context, method, path string, body any, withToken bool) *response {
	var data []byte
	switch b := body.(type) {
	case nil:
	case string:
		data = []byte(b)
	default:
		var err error
		if data, err = json.Marshal(b); err != nil {
			return &response{err: err, ex: Exchange{Method: method, URL: path, Err: err.Error()}}
		}
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.timeout())
	defer cancel()
	ex := Exchange{Method: method, URL: path, RequestBody: string(data)}
	req, err := http.NewRequestWithContext(rctx, method, r.base+path, bytes.NewReader(data))
	if err != nil {
		ex.Err = err.Error()
		return &response{err: err, ex: ex}
	}
	if data == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	} else {
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	req.Header.Set("Accept", "application/scim+json")
	if withToken && r.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.cfg.Token)
	}
	ex.RequestHeader = req.Header.Clone()
	if ex.RequestHeader.Get("Authorization") != "" {
		ex.RequestHeader.Set("Authorization", "Bearer <redacted>")
	}
	start := time.Now()
	resp, err := r.hc.Do(req)
	if err != nil {
		ex.Duration = time.Since(start)
		ex.Err = err.Error()
		return &response{err: err, ex: ex}
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	ex.Duration = time.Since(start)
	ex.Status, ex.ResponseHeader, ex.ResponseBody = resp.StatusCode, resp.Header, string(raw)
	res := &response{status: resp.StatusCode, header: resp.Header, raw: string(raw), ex: ex}
	if err != nil {
		res.err, ex.Err = err, err.Error()
		res.ex = ex
		return res
	}
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '{' {
		d := json.NewDecoder(bytes.NewReader(t))
		d.UseNumber()
		if d.Decode(&res.body) != nil {
			res.body = nil
		}
	}
	if method == http.MethodPost && (res.status == http.StatusCreated || res.status == http.StatusOK) {
		if id, _ := res.body["id"].(string); id != "" {
			r.track(strings.TrimSuffix(path, "/") + "/" + id)
		}
	}
	return res
}

func (r *runner) track(path string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.created = append(r.created, path)
}

// progress reports a result (or the start of a check) to Config.Progress.
func (r *runner) progress(res Result) {
	if r.cfg.Progress != nil {
		r.cfg.Progress(res)
	}
}

func (r *runner) add(res Result) {
	r.rep.Results = append(r.rep.Results, res)
	r.progress(res)
}

// excerpt shortens s for a message.
func excerpt(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
