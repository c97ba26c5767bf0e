package local

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// listXML is the List Blobs response, in the element names the azblob
// SDK's generated models decode.
type listXML struct {
	XMLName         xml.Name        `xml:"EnumerationResults"`
	ServiceEndpoint string          `xml:"ServiceEndpoint,attr"`
	ContainerName   string          `xml:"ContainerName,attr"`
	Prefix          string          `xml:"Prefix,omitempty"`
	Marker          string          `xml:"Marker,omitempty"`
	MaxResults      int             `xml:"MaxResults,omitempty"`
	Delimiter       string          `xml:"Delimiter,omitempty"`
	Blobs           []listBlobXML   `xml:"Blobs>Blob"`
	Prefixes        []listPrefixXML `xml:"Blobs>BlobPrefix"`
	NextMarker      string          `xml:"NextMarker"`
}

type listBlobXML struct {
	Name       string           `xml:"Name"`
	Properties listBlobPropsXML `xml:"Properties"`
}

type listBlobPropsXML struct {
	LastModified  string `xml:"Last-Modified"`
	ETag          string `xml:"Etag"`
	ContentLength int64  `xml:"Content-Length"`
	ContentType   string `xml:"Content-Type"`
	ContentMD5    string `xml:"Content-MD5,omitempty"`
	BlobType      string `xml:"BlobType"`
	LeaseStatus   string `xml:"LeaseStatus"`
	LeaseState    string `xml:"LeaseState"`
}

type listPrefixXML struct {
	Name string `xml:"Name"`
}

// maxListResults is Azure's page size cap.
const maxListResults = 5000

// listBlobs: GET ?restype=container&comp=list with prefix, delimiter,
// marker and maxresults. Markers are the name (or prefix) to resume at.
func (h *handler) listBlobs(w http.ResponseWriter, r *http.Request, req *request) {
	q := req.query
	prefix, delim, marker := q.Get("prefix"), q.Get("delimiter"), q.Get("marker")
	pageSize := maxListResults
	if v := q.Get("maxresults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			writeAzError(w, r, newAzError(http.StatusBadRequest, "OutOfRangeQueryParameterValue", "maxresults must be a positive integer."))
			return
		}
		pageSize = min(n, maxListResults)
	}
	infos, err := h.s.list(r.Context(), req.container, prefix)
	if err != nil {
		h.fail(w, r, "ListBlobs", err)
		return
	}
	// An entry is a blob or, with a delimiter, the common prefix that
	// hides a whole "directory"; both sort and page by their key.
	type entry struct {
		key  string
		info *listedBlob
	}
	var entries []entry
	seen := map[string]bool{}
	for i := range infos {
		name := infos[i].Name
		if delim != "" {
			if j := strings.Index(name[len(prefix):], delim); j >= 0 {
				p := name[:len(prefix)+j+len(delim)]
				if !seen[p] {
					seen[p] = true
					entries = append(entries, entry{key: p})
				}
				continue
			}
		}
		entries = append(entries, entry{key: name, info: &infos[i]})
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].key < entries[j].key })

	out := listXML{
		ServiceEndpoint: h.s.baseURL + h.s.prefix,
		ContainerName:   req.container,
		Prefix:          prefix,
		Marker:          marker,
		MaxResults:      pageSize,
		Delimiter:       delim,
	}
	if q.Get("maxresults") == "" {
		out.MaxResults = 0
	}
	start := sort.Search(len(entries), func(i int) bool { return entries[i].key >= marker })
	for i := start; i < len(entries); i++ {
		if len(out.Blobs)+len(out.Prefixes) == pageSize {
			out.NextMarker = entries[i].key
			break
		}
		e := entries[i]
		if e.info == nil {
			out.Prefixes = append(out.Prefixes, listPrefixXML{Name: e.key})
			continue
		}
		props := listBlobPropsXML{
			LastModified:  e.info.Modified.Format(http.TimeFormat),
			ETag:          e.info.ETag,
			ContentLength: e.info.Size,
			ContentType:   e.info.ContentType,
			BlobType:      "BlockBlob",
			LeaseStatus:   "unlocked",
			LeaseState:    "available",
		}
		if len(e.info.md5) == 16 {
			props.ContentMD5 = base64.StdEncoding.EncodeToString(e.info.md5)
		}
		out.Blobs = append(out.Blobs, listBlobXML{Name: e.info.Name, Properties: props})
	}
	writeXML(w, r, out)
}

// containerProperties: GET/HEAD ?restype=container.
func (h *handler) containerProperties(w http.ResponseWriter, r *http.Request, req *request) {
	fi, err := h.s.root.Stat(req.container)
	if err != nil {
		h.fail(w, r, "GetContainerProperties", err)
		return
	}
	hd := w.Header()
	hd.Set("ETag", identityOf(fi).etag())
	hd.Set("Last-Modified", fi.ModTime().UTC().Format(http.TimeFormat))
	hd.Set("x-ms-lease-state", "available")
	hd.Set("x-ms-lease-status", "unlocked")
	hd.Set("x-ms-has-immutability-policy", "false")
	hd.Set("x-ms-has-legal-hold", "false")
	hd.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}
