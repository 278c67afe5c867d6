// Reference CIDs from js-ipfs's own UnixFS importer, configured as `ipfs add --cid-version=1
// --raw-leaves` with kubo's defaults (size-262144 chunker, balanced layout, 174 links per node).
// The storage tests compare apps/storage/cid.py against it. Usage: node unixfs_cid.mjs FILE...
// Prints one CID per line, in argument order.
import { createReadStream } from 'node:fs'
import { MemoryBlockstore } from 'blockstore-core/memory'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'

const options = {
  cidVersion: 1,
  rawLeaves: true,
  reduceSingleLeafToSelf: true,
  chunker: fixedSize({ chunkSize: 262144 }),
  layout: balanced({ maxChildrenPerNode: 174 })
}

for (const path of process.argv.slice(2)) {
  const entries = []
  for await (const entry of importer([{ content: createReadStream(path) }], new MemoryBlockstore(), options)) {
    entries.push(entry)
  }
  if (entries.length !== 1) throw new Error(`${path}: expected one root, got ${entries.length}`)
  console.log(entries[0].cid.toString())
}
