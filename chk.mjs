import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
const file = await asyncBufferFromFile(process.argv[2]);
const meta = await parquetMetadataAsync(file);
console.log('rows', meta.num_rows, 'groups', meta.row_groups.length, 'kv', meta.key_value_metadata?.filter(k=>k.key!=='ARROW:schema').map(k=>k.key+'='+k.value.slice(0,40)));
console.log(meta.schema.slice(0,4).map(s=>JSON.stringify(s)).join('\n'));
const rows = await parquetReadObjects({ file, rowStart: 0, rowEnd: 3, compressors });
console.log(rows[0]);
