//! A chunk's staged rows as zstd Parquet, one file per month of `sent_at`, in the canonical schema's column
//! order and types. The schema comes from message-schema.ts (the one schema), not from this crate.

use crate::mapping::MappedRow;
use crate::timestamps::utc_month;
use arrow_array::builder::{BooleanBuilder, Float64Builder, ListBuilder, StringBuilder, StructBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{
    new_null_array, Array, ArrayRef, DictionaryArray, Int32Array, Int64Array, ListArray, RecordBatch, StringArray,
    TimestampMicrosecondArray, UInt32Array,
};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

/// Arrow's zone of every timestamp column: instants, written as Parquet's UTC-adjusted timestamps.
const UTC: &str = "+00:00";

/// DuckDB's row group size, which finalize's reads are tuned to.
const ROW_GROUP_ROWS: usize = 122_880;
/// Columns with few distinct values in a chunk (bodies repeat too): dictionary-encoded. The others are not,
/// which writes them faster and, for ids, smaller (measured on a 52 MB chunk).
const DICTIONARY_COLUMNS: [&str; 14] = [
    "seizure_id",
    "case_id",
    "platform",
    "conversation_id",
    "sender",
    "sender_device",
    "recipients.list.element",
    "body",
    "language",
    "source_object",
    "source_sha256",
    "import_id",
    "ingested_at",
    "body_status",
];
/// Times and places that grow along the file: delta-encoded, a fraction of their plain size.
const DELTA_COLUMNS: [&str; 5] = ["sent_at", "received_at", "read_at", "source_offset", "source_length"];

/// The columns enrichment fills, once per distinct body.
pub const ENRICHMENT_COLUMNS: [&str; 3] = ["language", "entities", "mentioned_geo"];

pub struct MonthFile {
    pub month: String,
    pub file: String,
    pub rows: u32,
}

/// The Arrow type of a field type of field-types.ts.
fn arrow_type(t: &Json) -> Result<DataType, String> {
    if let Some(name) = t.as_str() {
        return Ok(match name {
            "string" => DataType::Utf8,
            "timestamp" => DataType::Timestamp(TimeUnit::Microsecond, Some("+00:00".into())),
            "boolean" => DataType::Boolean,
            "int32" => DataType::Int32,
            "int64" => DataType::Int64,
            "double" => DataType::Float64,
            other => return Err(format!("unknown field type {other}")),
        });
    }
    if let Some(item) = t.get("list") {
        return Ok(DataType::List(Arc::new(Field::new("element", arrow_type(item)?, true))));
    }
    if let Some(fields) = t.get("struct") {
        return Ok(DataType::Struct(arrow_fields(fields)?));
    }
    Err(format!("unknown field type {t}"))
}

/// `[{ name, type }]` of message-schema.ts as Arrow fields.
pub fn arrow_fields(fields: &Json) -> Result<Fields, String> {
    fields
        .as_array()
        .ok_or("the schema is a list of fields")?
        .iter()
        .map(|f| {
            let name = f.get("name").and_then(Json::as_str).ok_or("a field without a name")?;
            Ok(Field::new(
                name,
                arrow_type(f.get("type").ok_or("a field without a type")?)?,
                true,
            ))
        })
        .collect()
}

/// The same schema with timestamps in milliseconds: how JavaScript's rows carry them.
fn with_millis(fields: &Fields) -> Fields {
    fields
        .iter()
        .map(|f| match f.data_type() {
            DataType::Timestamp(_, zone) => Arc::new(Field::new(
                f.name(),
                DataType::Timestamp(TimeUnit::Millisecond, zone.clone()),
                true,
            )),
            _ => f.clone(),
        })
        .collect()
}

/// NDJSON of rows (JavaScript's canonical messages, or findings per body) as one batch of `fields`.
pub fn decode_ndjson(text: &str, fields: &Fields, rows: usize) -> Result<RecordBatch, String> {
    let decode_schema = Arc::new(Schema::new(with_millis(fields)));
    let target = Arc::new(Schema::new(fields.clone()));
    if rows == 0 {
        return Ok(RecordBatch::new_empty(target));
    }
    let reader = arrow_json::ReaderBuilder::new(decode_schema)
        .with_batch_size(rows.max(1))
        .with_strict_mode(true)
        .build(Cursor::new(text.as_bytes()))
        .map_err(|e| e.to_string())?;
    let batches = reader.collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())?;
    let batch = arrow_select::concat::concat_batches(&batches[0].schema(), &batches).map_err(|e| e.to_string())?;
    if batch.num_rows() != rows {
        return Err(format!("expected {rows} rows, decoded {}", batch.num_rows()));
    }
    let columns = batch
        .columns()
        .iter()
        .zip(fields.iter())
        .map(|(c, f)| arrow_cast_to(c, f.data_type()))
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(target, columns).map_err(|e| e.to_string())
}

fn arrow_cast_to(column: &ArrayRef, to: &DataType) -> Result<ArrayRef, String> {
    if column.data_type() == to {
        return Ok(column.clone());
    }
    arrow_cast::cast(column, to).map_err(|e| e.to_string())
}

/// What every row of a chunk shares (seizure, import, source file), by column name.
pub type Constants = BTreeMap<String, Json>;

pub struct StagedRows {
    pub schema: SchemaRef,
    pub constants: Constants,
}

impl StagedRows {
    /// The staged files' schema: the canonical fields, a constant text column as a dictionary of its one value
    /// (no copy of it per row; Parquet stores it as the same dictionary-encoded text column).
    pub fn new(fields: &Fields, constants: Constants) -> Self {
        let fields: Fields = fields
            .iter()
            .map(|f| match (f.data_type(), constants.get(f.name())) {
                (DataType::Utf8, Some(Json::String(_))) => Arc::new(Field::new(
                    f.name(),
                    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
                    true,
                )),
                _ => f.clone(),
            })
            .collect();
        StagedRows {
            schema: Arc::new(Schema::new(fields)),
            constants,
        }
    }
}

/// One month's mapped rows, appended column by column as the mapping makes them.
#[derive(Default)]
pub struct MonthRows {
    message_id: StringBuilder,
    native_id: StringBuilder,
    conversation_id: StringBuilder,
    sent_at: Vec<i64>,
    sent_at_raw: StringBuilder,
    timezone_assumed: BooleanBuilder,
    received_at: Vec<Option<i64>>,
    read_at: Vec<Option<i64>>,
    sender: StringBuilder,
    sender_device: StringBuilder,
    recipients: ListBuilder<StringBuilder>,
    body: StringBuilder,
    body_index: Vec<Option<u32>>,
    geo: Vec<Option<(f64, f64)>>,
    source_offset: Vec<i64>,
    source_length: Vec<i32>,
}

impl MonthRows {
    pub fn append(&mut self, row: &MappedRow, offset: i64, length: i32, body_index: Option<u32>) {
        self.message_id.append_value(&row.message_id);
        self.native_id.append_option(row.native_id.as_deref());
        self.conversation_id.append_value(&row.conversation_id);
        self.sent_at.push(row.sent_at * 1000);
        self.sent_at_raw.append_value(&row.sent_at_raw);
        self.timezone_assumed.append_value(row.timezone_assumed);
        self.received_at.push(row.received_at.map(|ms| ms * 1000));
        self.read_at.push(row.read_at.map(|ms| ms * 1000));
        self.sender.append_value(&row.sender);
        self.sender_device.append_option(row.sender_device.as_deref());
        for handle in &row.recipients {
            self.recipients.values().append_value(handle);
        }
        self.recipients.append(true);
        self.body.append_option(row.body.as_deref());
        self.body_index.push(body_index);
        self.geo.push(row.geo);
        self.source_offset.push(offset);
        self.source_length.push(length);
    }
}

impl StagedRows {
    /// One month's mapped rows as a batch of the schema, with their bodies' findings (`enrichment`, the row
    /// `rows_of_bodies[body]` for each distinct body) and the chunk's constants.
    pub fn mapped_batch(
        &self,
        mut rows: MonthRows,
        enrichment: &RecordBatch,
        rows_of_bodies: &[u32],
    ) -> Result<RecordBatch, String> {
        let n = rows.sent_at.len();
        let body_index: UInt32Array = rows
            .body_index
            .iter()
            .map(|b| b.map(|id| rows_of_bodies[id as usize]))
            .collect();
        let times = |values: Vec<Option<i64>>| -> ArrayRef {
            Arc::new(TimestampMicrosecondArray::from(values).with_timezone(UTC))
        };
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(self.schema.fields().len());
        for field in self.schema.fields() {
            let name = field.name().as_str();
            let column: ArrayRef = if let Some(value) = self.constants.get(name) {
                constant_column(value, field.data_type(), n)?
            } else if ENRICHMENT_COLUMNS.contains(&name) {
                let found = enrichment
                    .column_by_name(name)
                    .ok_or_else(|| format!("enrichment without {name}"))?;
                arrow_select::take::take(found, &body_index, None).map_err(|e| e.to_string())?
            } else {
                match name {
                    "message_id" => Arc::new(rows.message_id.finish()),
                    "native_id" => Arc::new(rows.native_id.finish()),
                    "conversation_id" => Arc::new(rows.conversation_id.finish()),
                    "sent_at" => {
                        Arc::new(TimestampMicrosecondArray::from(std::mem::take(&mut rows.sent_at)).with_timezone(UTC))
                    }
                    "sent_at_raw" => Arc::new(rows.sent_at_raw.finish()),
                    "timezone_assumed" => Arc::new(rows.timezone_assumed.finish()),
                    "received_at" => times(std::mem::take(&mut rows.received_at)),
                    "read_at" => times(std::mem::take(&mut rows.read_at)),
                    "sender" => Arc::new(rows.sender.finish()),
                    "sender_device" => Arc::new(rows.sender_device.finish()),
                    "recipients" => {
                        let DataType::List(item) = field.data_type() else {
                            return Err("recipients is not a list".into());
                        };
                        let list = rows.recipients.finish();
                        let (_, offsets, values, nulls) = list.into_parts();
                        Arc::new(ListArray::try_new(item.clone(), offsets, values, nulls).map_err(|e| e.to_string())?)
                    }
                    "body" => Arc::new(rows.body.finish()),
                    "geo" => geo_column(field.data_type(), &rows.geo)?,
                    "source_offset" => Arc::new(Int64Array::from(std::mem::take(&mut rows.source_offset))),
                    "source_length" => Arc::new(Int32Array::from(std::mem::take(&mut rows.source_length))),
                    _ => new_null_array(field.data_type(), n),
                }
            };
            columns.push(column);
        }
        RecordBatch::try_new(self.schema.clone(), columns).map_err(|e| format!("mapped rows: {e}"))
    }

    /// JavaScript's rows (every column but the constants) with the constants added.
    pub fn with_constants(&self, rows: &RecordBatch) -> Result<RecordBatch, String> {
        let n = rows.num_rows();
        let columns = self
            .schema
            .fields()
            .iter()
            .map(|field| match self.constants.get(field.name()) {
                Some(value) => constant_column(value, field.data_type(), n),
                None => rows
                    .column_by_name(field.name())
                    .cloned()
                    .ok_or(format!("rows without {}", field.name())),
            })
            .collect::<Result<Vec<_>, _>>()?;
        RecordBatch::try_new(self.schema.clone(), columns).map_err(|e| format!("routed rows: {e}"))
    }

    /// The fields JavaScript's rows carry: all but the constants.
    pub fn routed_fields(&self) -> Fields {
        self.schema
            .fields()
            .iter()
            .filter(|f| !self.constants.contains_key(f.name()))
            .cloned()
            .collect()
    }

    pub fn enrichment_fields(&self) -> Fields {
        self.schema
            .fields()
            .iter()
            .filter(|f| ENRICHMENT_COLUMNS.contains(&f.name().as_str()))
            .cloned()
            .collect()
    }

    /// Writes each month's batches as `directory/sent_month=YYYY-MM/data_0.parquet`.
    pub fn write(
        &self,
        directory: &Path,
        months: BTreeMap<String, Vec<RecordBatch>>,
    ) -> Result<Vec<MonthFile>, String> {
        let mut properties = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(1).map_err(|e| e.to_string())?))
            .set_max_row_group_size(ROW_GROUP_ROWS)
            // Finalize reads staged files whole (a hash bucket of message_id): no statistics to prune with.
            .set_statistics_enabled(EnabledStatistics::None)
            .set_dictionary_enabled(false);
        for path in DICTIONARY_COLUMNS {
            let path = ColumnPath::new(path.split('.').map(str::to_string).collect());
            properties = properties.set_column_dictionary_enabled(path, true);
        }
        for name in DELTA_COLUMNS {
            properties = properties.set_column_encoding(ColumnPath::from(name), Encoding::DELTA_BINARY_PACKED);
        }
        let properties = properties.build();
        let mut files = Vec::new();
        for (month, batches) in months {
            let folder = directory.join(format!("sent_month={month}"));
            std::fs::create_dir_all(&folder).map_err(|e| e.to_string())?;
            let file = folder.join("data_0.parquet");
            let out = std::fs::File::create(&file).map_err(|e| e.to_string())?;
            let mut writer =
                ArrowWriter::try_new(out, self.schema.clone(), Some(properties.clone())).map_err(|e| e.to_string())?;
            for batch in &batches {
                writer.write(batch).map_err(|e| e.to_string())?;
            }
            let written = writer.close().map_err(|e| e.to_string())?;
            files.push(MonthFile {
                month,
                file: file.to_string_lossy().into_owned(),
                rows: u32::try_from(written.file_metadata().num_rows()).map_err(|e| e.to_string())?,
            });
        }
        Ok(files)
    }
}

/// Findings of bodies without entities: their language, no entities (an empty list: looked at, nothing found)
/// and no mentioned places.
pub fn language_only(fields: &Fields, languages: &[Option<&str>]) -> Result<RecordBatch, String> {
    let n = languages.len();
    let columns = fields
        .iter()
        .map(|f| -> Result<ArrayRef, String> {
            Ok(match f.name().as_str() {
                "language" => Arc::new(languages.iter().copied().collect::<StringArray>()),
                "entities" => {
                    let DataType::List(item) = f.data_type() else {
                        return Err("entities is not a list".into());
                    };
                    Arc::new(
                        ListArray::try_new(
                            item.clone(),
                            arrow_buffer::OffsetBuffer::new_zeroed(n),
                            arrow_array::new_empty_array(item.data_type()),
                            None,
                        )
                        .map_err(|e| e.to_string())?,
                    )
                }
                _ => new_null_array(f.data_type(), n),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(Arc::new(Schema::new(fields.clone())), columns).map_err(|e| e.to_string())
}

/// The month of each row of a batch, by its `sent_at`.
pub fn months_of(batch: &RecordBatch) -> Result<BTreeMap<String, Vec<u32>>, String> {
    let sent = batch
        .column_by_name("sent_at")
        .and_then(|c| c.as_any().downcast_ref::<TimestampMicrosecondArray>())
        .ok_or("rows without sent_at")?;
    let mut months: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (i, micros) in sent.iter().enumerate() {
        let micros = micros.ok_or("a row without sent_at")?;
        months
            .entry(utc_month(micros.div_euclid(1000)))
            .or_default()
            .push(i as u32);
    }
    Ok(months)
}

fn constant_column(value: &Json, data_type: &DataType, n: usize) -> Result<ArrayRef, String> {
    Ok(match (data_type, value) {
        (_, Json::Null) => new_null_array(data_type, n),
        (DataType::Utf8, Json::String(s)) => Arc::new(StringArray::from_iter_values(std::iter::repeat_n(s, n))),
        (DataType::Dictionary(_, _), Json::String(s)) => Arc::new(DictionaryArray::<Int32Type>::new(
            Int32Array::from(vec![0; n]),
            Arc::new(StringArray::from(vec![s.as_str()])),
        )),
        (DataType::Timestamp(_, _), Json::Number(ms)) => Arc::new(
            TimestampMicrosecondArray::from(vec![ms.as_f64().ok_or("a time constant")?.round() as i64 * 1000; n])
                .with_timezone(UTC),
        ),
        _ => return Err(format!("a constant {value} for a column of type {data_type}")),
    })
}

fn geo_column(data_type: &DataType, geo: &[Option<(f64, f64)>]) -> Result<ArrayRef, String> {
    let DataType::Struct(fields) = data_type else {
        return Err("geo is not a struct".into());
    };
    let mut builder = StructBuilder::from_fields(fields.clone(), geo.len());
    for point in geo {
        let (lat, lon) = point.map_or((None, None), |(lat, lon)| (Some(lat), Some(lon)));
        builder
            .field_builder::<Float64Builder>(0)
            .ok_or("geo.lat")?
            .append_option(lat);
        builder
            .field_builder::<Float64Builder>(1)
            .ok_or("geo.lon")?
            .append_option(lon);
        builder.append(point.is_some());
    }
    Ok(Arc::new(builder.finish()))
}
