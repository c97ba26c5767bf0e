package azfront

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// listXML is the List Blobs response, in the element names the azblob
// SDK's models decode.
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
	Name       string       `xml:"Name"`
	Properties listPropsXML `xml:"Properties"`
}

type listPropsXML struct {
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
// marker and maxresults; markers are the key to resume at.
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
	objs, err := h.be.ListObjects(r.Context(), req.container, prefix)
	if err != nil {
		h.fail(w, r, "ListBlobs", err)
		return
	}
	type entry struct {
		key string
		obj *Object
	}
	var list []entry
	seen := map[string]bool{}
	for i := range objs {
		name := objs[i].Name
		if delim != "" {
			if j := strings.Index(name[len(prefix):], delim); j >= 0 {
				p := name[:len(prefix)+j+len(delim)]
				if !seen[p] {
					seen[p] = true
					list = append(list, entry{key: p})
				}
				continue
			}
		}
		list = append(list, entry{key: name, obj: &objs[i]})
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].key < list[j].key })
	out := listXML{
		ServiceEndpoint: h.sig.baseURL + "/",
		ContainerName:   req.container,
		Prefix:          prefix,
		Marker:          marker,
		Delimiter:       delim,
	}
	if q.Get("maxresults") != "" {
		out.MaxResults = pageSize
	}
	start := sort.Search(len(list), func(i int) bool { return list[i].key >= marker })
	for i := start; i < len(list); i++ {
		if len(out.Blobs)+len(out.Prefixes) == pageSize {
			out.NextMarker = list[i].key
			break
		}
		e := list[i]
		if e.obj == nil {
			out.Prefixes = append(out.Prefixes, listPrefixXML{Name: e.key})
			continue
		}
		props := listPropsXML{
			LastModified:  e.obj.Modified.UTC().Format(http.TimeFormat),
			ETag:          e.obj.ETag,
			ContentLength: e.obj.Size,
			ContentType:   e.obj.ContentType,
			BlobType:      "BlockBlob",
			LeaseStatus:   "unlocked",
			LeaseState:    "available",
		}
		if len(e.obj.MD5) == 16 {
			props.ContentMD5 = base64.StdEncoding.EncodeToString(e.obj.MD5)
		}
		out.Blobs = append(out.Blobs, listBlobXML{Name: e.obj.Name, Properties: props})
	}
	writeXML(w, r, out)
}

// containerProperties: GET/HEAD ?restype=container. Existence was checked
// by ServeHTTP; backends that can describe the container add its ETag and
// Last-Modified.
func (h *handler) containerProperties(w http.ResponseWriter, r *http.Request, req *request) {
	hd := w.Header()
	if d, ok := h.be.(ContainerDescriber); ok {
		p, err := d.DescribeContainer(r.Context(), req.container)
		if err != nil {
			h.fail(w, r, "GetContainerProperties", err)
			return
		}
		hd.Set("ETag", p.ETag)
		hd.Set("Last-Modified", p.Modified.UTC().Format(http.TimeFormat))
	}
	hd.Set("x-ms-lease-state", "available")
	hd.Set("x-ms-lease-status", "unlocked")
	hd.Set("x-ms-has-immutability-policy", "false")
	hd.Set("x-ms-has-legal-hold", "false")
	hd.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}
