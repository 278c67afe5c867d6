// A js-ipfs node (npm `ipfs-core`) serving kubo's RPC API (npm `ipfs-http-server`, the same
// `/api/v0` js-ipfs's daemon serves) on 127.0.0.1, for the KuboBlobStore tests.
// Usage: node js_ipfs_node.mjs REPO_DIR API_PORT. Prints "ready" once the API answers; SIGTERM stops it.
import { create } from 'ipfs-core'
import { HttpApi } from 'ipfs-http-server'

const [repo, port] = process.argv.slice(2)

const ipfs = await create({
  repo,
  // Offline, no bootstrap peers, no MDNS and no preload: the node talks to no other host.
  offline: true,
  preload: { enabled: false },
  config: {
    Addresses: { API: `/ip4/127.0.0.1/tcp/${port}`, Swarm: [], Gateway: '', RPC: '', Delegates: [] },
    Bootstrap: [],
    Discovery: { MDNS: { Enabled: false }, webRTCStar: { Enabled: false } }
  }
})
const api = new HttpApi(ipfs)
await api.start()
console.log('ready')

process.on('SIGTERM', async () => {
  await api.stop()
  await ipfs.stop()
  process.exit(0)
})
