// np-libcni-runtime runs a CNI network configuration list through libcni, the library
// containerd (go-cni), CRI-O and Multus load plugins with: plugins found in CNI_PATH, the
// list's name and version and the runtime's capability arguments injected, ADD results
// cached under -cache-dir and handed back as prevResult to CHECK and DEL.
//
//	np-libcni-runtime -conflist F -cache-dir D -id CID -netns P -ifname N \
//	    [-args 'K=V;K=V'] [-capabilities JSON] add|check|del
//
// ADD prints the list's result; a plugin's CNI error is printed as its JSON error object and
// the exit status is 1; any other failure exits 2.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
)

func main() {
	conflist := flag.String("conflist", "", "the network configuration list file")
	cacheDir := flag.String("cache-dir", "", "where ADD results are cached")
	id := flag.String("id", "", "CNI_CONTAINERID")
	netns := flag.String("netns", "", "CNI_NETNS")
	ifname := flag.String("ifname", "", "CNI_IFNAME")
	args := flag.String("args", "", "CNI_ARGS, K=V pairs separated by ';'")
	caps := flag.String("capabilities", "{}", "capability arguments as a JSON object")
	flag.Parse()
	if flag.NArg() != 1 || *conflist == "" || *cacheDir == "" || *id == "" {
		fail(fmt.Errorf("usage: -conflist F -cache-dir D -id CID -netns P -ifname N add|check|del"))
	}

	list, err := libcni.ConfListFromFile(*conflist)
	if err != nil {
		fail(err)
	}
	rt := &libcni.RuntimeConf{ContainerID: *id, NetNS: *netns, IfName: *ifname}
	if err := json.Unmarshal([]byte(*caps), &rt.CapabilityArgs); err != nil {
		fail(fmt.Errorf("-capabilities: %w", err))
	}
	for _, kv := range strings.Split(*args, ";") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			rt.Args = append(rt.Args, [2]string{k, v})
		}
	}
	cni := libcni.NewCNIConfigWithCacheDir(filepath.SplitList(os.Getenv("CNI_PATH")), *cacheDir, nil)

	ctx := context.Background()
	switch flag.Arg(0) {
	case "add":
		result, err := cni.AddNetworkList(ctx, list, rt)
		if err != nil {
			fail(err)
		}
		if err := result.Print(); err != nil {
			fail(err)
		}
	case "check":
		err = cni.CheckNetworkList(ctx, list, rt)
	case "del":
		err = cni.DelNetworkList(ctx, list, rt)
	default:
		err = fmt.Errorf("unknown command %q", flag.Arg(0))
	}
	if err != nil {
		fail(err)
	}
}

// fail reports a plugin's CNI error as the plugin printed it (exit 1), anything else on
// stderr (exit 2).
func fail(err error) {
	var cniErr *types.Error
	if errors.As(err, &cniErr) {
		cniErr.Print()
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(2)
}
