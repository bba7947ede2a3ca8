#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# A small CRI client standing in for crictl (not packaged in Debian 12):
# sends the calls kubelet sends, from crictl's JSON config files, to the
# runtime at $CONTAINER_RUNTIME_ENDPOINT (unix://PATH). Stubs are generated
# once from the vendored api.proto into $CRI_STUBS.
#
#   crictl.py version | runp POD.json | create POD_ID CTR.json POD.json |
#   start ID | stop ID [TIMEOUT] | rm ID | stopp POD_ID | rmp POD_ID |
#   wait ID SECONDS | logs ID | inspect ID | state ID
import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def stubs():
    out = os.environ.get("CRI_STUBS") or os.path.join(HERE, ".stubs")
    if not os.path.exists(os.path.join(out, "api_pb2_grpc.py")):
        from grpc_tools import protoc
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(HERE, "api.proto")) as f:
            proto = f.read()
        # protobuf 3.21 (Debian 12) does not know this field option.
        proto = re.sub(r"\s*\[debug_redact = true\]", "", proto)
        with open(os.path.join(out, "api.proto"), "w") as f:
            f.write(proto)
        if protoc.main(["protoc", "-I" + out, "--python_out=" + out,
                        "--grpc_python_out=" + out,
                        os.path.join(out, "api.proto")]) != 0:
            sys.exit("crictl.py: protoc failed")
    sys.path.insert(0, out)
    import api_pb2
    import api_pb2_grpc
    return api_pb2, api_pb2_grpc


def load(pb, path, msg):
    from google.protobuf import json_format
    with open(path) as f:
        return json_format.Parse(f.read(), msg)


def main(argv):
    import grpc
    pb, rpc = stubs()
    ep = os.environ.get("CONTAINER_RUNTIME_ENDPOINT", "")
    if not ep.startswith("unix://"):
        sys.exit("crictl.py: CONTAINER_RUNTIME_ENDPOINT=unix://PATH needed")
    ch = grpc.insecure_channel("unix:" + ep[len("unix://"):])
    rt = rpc.RuntimeServiceStub(ch)
    cmd, args = argv[1], argv[2:]
    try:
        if cmd == "version":
            v = rt.Version(pb.VersionRequest(), timeout=30)
            print(v.runtime_name, v.runtime_version, v.runtime_api_version)
        elif cmd == "runp":
            cfg = load(pb, args[0], pb.PodSandboxConfig())
            print(rt.RunPodSandbox(pb.RunPodSandboxRequest(config=cfg),
                                   timeout=120).pod_sandbox_id)
        elif cmd == "create":
            ctr = load(pb, args[1], pb.ContainerConfig())
            pod = load(pb, args[2], pb.PodSandboxConfig())
            print(rt.CreateContainer(pb.CreateContainerRequest(
                pod_sandbox_id=args[0], config=ctr, sandbox_config=pod),
                timeout=120).container_id)
        elif cmd == "start":
            rt.StartContainer(pb.StartContainerRequest(container_id=args[0]),
                              timeout=120)
        elif cmd == "stop":
            t = int(args[1]) if len(args) > 1 else 10
            rt.StopContainer(pb.StopContainerRequest(container_id=args[0],
                                                     timeout=t),
                             timeout=t + 60)
        elif cmd == "rm":
            rt.RemoveContainer(pb.RemoveContainerRequest(
                container_id=args[0]), timeout=60)
        elif cmd == "stopp":
            rt.StopPodSandbox(pb.StopPodSandboxRequest(
                pod_sandbox_id=args[0]), timeout=120)
        elif cmd == "rmp":
            rt.RemovePodSandbox(pb.RemovePodSandboxRequest(
                pod_sandbox_id=args[0]), timeout=120)
        elif cmd in ("wait", "state", "logs", "inspect"):
            verbose = cmd == "inspect"
            limit = time.monotonic() + (float(args[1]) if cmd == "wait"
                                        else 0)
            while True:
                st = rt.ContainerStatus(pb.ContainerStatusRequest(
                    container_id=args[0], verbose=verbose), timeout=30)
                if cmd != "wait" or st.status.state == pb.CONTAINER_EXITED:
                    break
                if time.monotonic() > limit:
                    sys.exit("crictl.py: %s still running after %s s"
                             % (args[0], args[1]))
                time.sleep(0.1)
            if cmd == "wait":
                print(st.status.exit_code)
            elif cmd == "state":
                print(pb.ContainerState.Name(st.status.state))
            elif cmd == "inspect":
                print(st.info["info"])
            else:
                # CRI log lines: TIMESTAMP STREAM P|F MESSAGE.
                with open(st.status.log_path) as f:
                    for line in f:
                        parts = line.rstrip("\n").split(" ", 3)
                        if len(parts) == 4:
                            end = "\n" if parts[2] == "F" else ""
                            sys.stdout.write(parts[3] + end)
        else:
            sys.exit("crictl.py: unknown command " + cmd)
    except grpc.RpcError as e:
        sys.exit("crictl.py %s: %s: %s" % (cmd, e.code().name, e.details()))


if __name__ == "__main__":
    main(sys.argv)
