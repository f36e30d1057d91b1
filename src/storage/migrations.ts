// One migration set for both dialects. Column types are the common subset (text, integer,
// double precision); see schema.ts for why times and JSON are text.
import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from './db.ts';
import { reasonKey } from './match-reasons.ts';

type Db = Kysely<unknown>;

async function up001(db: Db): Promise<void> {
  await db.schema
    .createTable('regions')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('parent_code', 'text')
    .addColumn('province_code', 'text', (c) => c.notNull())
    .addColumn('city_code', 'text')
    .addColumn('county_code', 'text')
    .execute();

  await db.schema
    .createTable('region_ip_ranges')
    .addColumn('start_key', 'text', (c) => c.primaryKey())
    .addColumn('end_key', 'text', (c) => c.notNull())
    .addColumn('province_code', 'text', (c) => c.notNull())
    .addColumn('city_code', 'text')
    .addColumn('isp', 'text')
    .execute();

  await db.schema
    .createTable('enterprises')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('credit_code', 'text', (c) => c.notNull().unique())
    .addColumn('industry_code', 'text', (c) => c.notNull())
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('province_code', 'text', (c) => c.notNull())
    .addColumn('city_code', 'text')
    .addColumn('county_code', 'text')
    .addColumn('classification', 'text')
    .addColumn('grade', 'text')
    .addColumn('contacts', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('enterprises_city').on('enterprises').columns(['city_code', 'county_code']).execute();

  await db.schema
    .createTable('enterprise_networks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
    .addColumn('cidr', 'text', (c) => c.notNull())
    .addColumn('family', 'integer', (c) => c.notNull())
    .addColumn('prefix', 'integer', (c) => c.notNull())
    .addColumn('start_key', 'text', (c) => c.notNull())
    .addColumn('end_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('enterprise_networks_cidr', ['enterprise_id', 'cidr'])
    .execute();
  await db.schema.createIndex('enterprise_networks_range').on('enterprise_networks').columns(['start_key', 'end_key']).execute();

  await db.schema
    .createTable('enterprise_domains')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('enterprise_domains_domain', ['enterprise_id', 'domain'])
    .execute();

  await db.schema
    .createTable('assets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ip', 'text', (c) => c.notNull().unique())
    .addColumn('ip_key', 'text', (c) => c.notNull())
    .addColumn('province_code', 'text')
    .addColumn('city_code', 'text')
    .addColumn('county_code', 'text')
    .addColumn('enterprise_id', 'text')
    .addColumn('vendor', 'text')
    .addColumn('product', 'text')
    .addColumn('model', 'text')
    .addColumn('firmware', 'text')
    .addColumn('honeypot', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .execute();
  // Inventory pages are ordered by address within a filter: each filter column leads an index
  // that ends in ip_key, so a page is an index range scan, not a sort of the whole match.
  await db.schema.createIndex('assets_by_ip_key').on('assets').column('ip_key').execute();
  await db.schema.createIndex('assets_city_ip').on('assets').columns(['city_code', 'ip_key']).execute();
  await db.schema.createIndex('assets_county_ip').on('assets').columns(['county_code', 'ip_key']).execute();
  await db.schema.createIndex('assets_enterprise_ip').on('assets').columns(['enterprise_id', 'ip_key']).execute();
  await db.schema.createIndex('assets_vendor_ip').on('assets').columns(['vendor', 'ip_key']).execute();

  await db.schema
    .createTable('services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id'))
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('transport', 'text', (c) => c.notNull())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .addUniqueConstraint('services_endpoint', ['asset_id', 'port', 'transport'])
    .execute();
  await db.schema.createIndex('services_protocol').on('services').columns(['protocol', 'asset_id']).execute();

  await db.schema
    .createTable('identities')
    .addColumn('service_id', 'text', (c) => c.primaryKey().references('services.id'))
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('vendor', 'text')
    .addColumn('vendor_key', 'text')
    .addColumn('product', 'text')
    .addColumn('model', 'text')
    .addColumn('order_number', 'text')
    .addColumn('firmware', 'text')
    .addColumn('hardware', 'text')
    .addColumn('serial', 'text')
    .addColumn('module_name', 'text')
    .addColumn('plant_id', 'text')
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('observed_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('identities_asset').on('identities').column('asset_id').execute();
  await db.schema.createIndex('identities_vendor_key').on('identities').column('vendor_key').execute();

  await db.schema
    .createTable('observations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('transport', 'text', (c) => c.notNull())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('via', 'text')
    .addColumn('observed_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('identity', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('observations_asset').on('observations').columns(['asset_id', 'observed_at']).execute();

  await db.schema
    .createTable('advisories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('publisher', 'text')
    .addColumn('initial_release', 'text')
    .addColumn('current_release', 'text')
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('max_cvss', 'double precision')
    .addColumn('cves', 'text', (c) => c.notNull())
    .addColumn('products', 'text', (c) => c.notNull())
    .addColumn('problems', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('findings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('advisory_id', 'text', (c) => c.notNull())
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('province_code', 'text')
    .addColumn('city_code', 'text')
    .addColumn('county_code', 'text')
    .addColumn('enterprise_id', 'text')
    .addColumn('cves', 'text', (c) => c.notNull())
    .addColumn('confidence', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('cvss', 'double precision')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('findings_service_advisory', ['service_id', 'advisory_id'])
    .execute();
  await db.schema.createIndex('findings_asset').on('findings').column('asset_id').execute();
  await db.schema.createIndex('findings_city').on('findings').columns(['city_code', 'county_code']).execute();
  await db.schema.createIndex('findings_enterprise').on('findings').column('enterprise_id').execute();
  await db.schema.createIndex('findings_ip').on('findings').column('ip').execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('asset_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('province_code', 'text')
    .addColumn('city_code', 'text')
    .addColumn('county_code', 'text')
    .addColumn('enterprise_id', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_city').on('events').columns(['city_code', 'occurred_at']).execute();

  await db.schema
    .createTable('indicators')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .addColumn('confidence', 'integer', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addUniqueConstraint('indicators_value', ['type', 'value'])
    .execute();

  await db.schema
    .createTable('warnings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
    .addColumn('province_code', 'text')
    .addColumn('city_code', 'text')
    .addColumn('county_code', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('deadline', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('warnings_enterprise').on('warnings').columns(['enterprise_id', 'state']).execute();

  await db.schema
    .createTable('warning_findings')
    .addColumn('warning_id', 'text', (c) => c.notNull().references('warnings.id'))
    .addColumn('finding_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('warning_findings_pk', ['warning_id', 'finding_id'])
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('region_code', 'text')
    .addColumn('enterprise_id', 'text')
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('stat_counters')
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('province_code', 'text', (c) => c.notNull())
    .addColumn('city_code', 'text', (c) => c.notNull())
    .addColumn('county_code', 'text', (c) => c.notNull())
    .addColumn('enterprise_id', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('stat_counters_pk', ['metric', 'key', 'city_code', 'county_code', 'enterprise_id'])
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
}

// Audit entries are evidence: the database itself refuses to change or delete them.
async function up002(db: Db, dialect: DialectName): Promise<void> {
  if (dialect === 'sqlite') {
    await sql`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
    await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
  } else {
    await sql`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`.execute(db);
    await sql`CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`.execute(db);
  }
}

// The warning loop (预警 → 整改 → 复核): when each step happened, the transitions themselves,
// remediation evidence, escalations and the log of every notification sent.
async function up003(db: Db): Promise<void> {
  for (const column of ['issued_at', 'verify_requested_at', 'overdue_at', 'resolved_at']) {
    await db.schema.alterTable('warnings').addColumn(column, 'text').execute();
  }
  await db.schema.createIndex('warnings_state_deadline').on('warnings').columns(['state', 'deadline']).execute();

  await db.schema
    .createTable('warning_transitions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('warning_id', 'text', (c) => c.notNull().references('warnings.id'))
    .addColumn('from_state', 'text', (c) => c.notNull())
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text')
    .addColumn('note', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('warning_transitions_warning').on('warning_transitions').columns(['warning_id', 'at']).execute();

  await db.schema
    .createTable('warning_evidence')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('warning_id', 'text', (c) => c.notNull().references('warnings.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('uploaded_by', 'text')
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('warning_evidence_warning').on('warning_evidence').column('warning_id').execute();

  await db.schema
    .createTable('warning_escalations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('warning_id', 'text', (c) => c.notNull().references('warnings.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('recipients', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('warning_escalations_warning').on('warning_escalations').column('warning_id').execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('warning_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('notifications_warning').on('notifications').columns(['warning_id', 'created_at']).execute();
}

// Threat trapping: honeypot interactions counted per hour, protocol and operation (the time
// series reads these, never the event rows), and indexes for a source's events and for listing
// events of one kind by time.
async function up004(db: Db): Promise<void> {
  await db.schema
    .createTable('honeypot_activity')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('hour', 'text', (c) => c.notNull())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('province_code', 'text')
    .addColumn('city_code', 'text')
    .addColumn('county_code', 'text')
    .addColumn('enterprise_id', 'text')
    .addColumn('count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('honeypot_activity_hour').on('honeypot_activity').columns(['hour', 'protocol']).execute();
  await db.schema.createIndex('events_kind').on('events').columns(['kind', 'occurred_at']).execute();
  await db.schema.createIndex('events_ip').on('events').columns(['ip', 'occurred_at']).execute();
}

// Platform scans (a queue run in-process, one at a time; a scheduled scan queues its next run) and
// per-service misses for change detection: a service is gone after N finished scans that covered
// it without seeing it.
async function up005(db: Db): Promise<void> {
  await db.schema
    .createTable('scans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('targets', 'text', (c) => c.notNull())
    .addColumn('ranges', 'text', (c) => c.notNull())
    .addColumn('ports', 'text')
    .addColumn('rate', 'integer')
    .addColumn('every_minutes', 'integer')
    .addColumn('series_id', 'text', (c) => c.notNull())
    .addColumn('key', 'integer', (c) => c.notNull())
    .addColumn('province_code', 'text')
    .addColumn('city_code', 'text')
    .addColumn('county_code', 'text')
    .addColumn('enterprise_id', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_by_name', 'text')
    .addColumn('pairs', 'integer', (c) => c.notNull())
    .addColumn('finished_pairs', 'integer', (c) => c.notNull())
    .addColumn('resumed_pairs', 'integer', (c) => c.notNull())
    .addColumn('identified', 'integer', (c) => c.notNull())
    .addColumn('observations', 'integer', (c) => c.notNull())
    .addColumn('new_assets', 'integer', (c) => c.notNull())
    .addColumn('errors', 'integer', (c) => c.notNull())
    .addColumn('gone', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('not_before', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('scans_state').on('scans').columns(['state', 'not_before']).execute();
  await db.schema.createIndex('scans_created').on('scans').columns(['created_at']).execute();
  await db.schema
    .createTable('service_misses')
    .addColumn('service_id', 'text', (c) => c.primaryKey())
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('misses', 'integer', (c) => c.notNull())
    .addColumn('gone_at', 'text')
    .addColumn('last_scan_id', 'text', (c) => c.notNull())
    .execute();
}

// How many covering scans without an answer make a service gone, chosen per scan (null = the default).
async function up006(db: Db): Promise<void> {
  await db.schema.alterTable('scans').addColumn('gone_after', 'integer').execute();
}

// Ingest writes about five findings per new device, each into every findings index. findings_ip
// served only the findings list's address filter, which now goes through the asset (assets.ip is
// unique, findings_asset finds its findings); verification reaches findings from its warnings.
// findings_enterprise only ever answers enterprise_id = ? (an enterprise user's scope, the list's
// enterprise filter), so it need not hold the findings of the many addresses no enterprise has
// registered: both SQLite and PostgreSQL use a partial index for an equality on its column.
// On PostgreSQL every re-observation rewrites its asset and service rows (last seen): with room
// left on each page the new row version stays on the page and, no indexed column having changed,
// no index entry is written for it (a heap-only tuple); with full pages each update inserts into
// every index of the table. (SQLite updates in place and touches only the indexes of changed columns.)
async function up007(db: Db, dialect: DialectName): Promise<void> {
  await db.schema.dropIndex('findings_ip').execute();
  await db.schema.dropIndex('findings_enterprise').execute();
  await db.schema.createIndex('findings_enterprise').on('findings').column('enterprise_id').where('enterprise_id', 'is not', null).execute();
  if (dialect === 'postgres') {
    await sql`ALTER TABLE assets SET (fillfactor = 70)`.execute(db);
    await sql`ALTER TABLE services SET (fillfactor = 70)`.execute(db);
  }
}

// Keyset paging of the asset inventory (src/services/assets.ts): pages are ordered by (ip_key, id),
// id breaking ties between two spellings of one address, so the indexes that served the address
// order end in id as well and a cursor seeks straight to its row. They replace the old ones: ingest
// keeps as many asset indexes as before.
async function up008(db: Db): Promise<void> {
  const ordered: [string, string, string[]][] = [
    ['assets_by_ip_key', 'assets_ip_key_id', ['ip_key', 'id']],
    ['assets_city_ip', 'assets_city_ip_id', ['city_code', 'ip_key', 'id']],
    ['assets_county_ip', 'assets_county_ip_id', ['county_code', 'ip_key', 'id']],
    ['assets_enterprise_ip', 'assets_enterprise_ip_id', ['enterprise_id', 'ip_key', 'id']],
    ['assets_vendor_ip', 'assets_vendor_ip_id', ['vendor', 'ip_key', 'id']],
  ];
  for (const [old, name, columns] of ordered) {
    await db.schema.createIndex(name).on('assets').columns(columns).execute();
    await db.schema.dropIndex(old).execute();
  }
}

// Ingest writes about four findings and one observation per new device, and each row goes into
// every b-tree of its table; these two tables keep only the b-trees a reader uses.
// findings: the upsert key leads with the asset, so it also answers "the findings of an asset"
// (counts, risk, the list's address filter, moving an asset) and findings_asset goes; findings_city
// goes because a city or county analyst's findings list now reaches its findings through the
// asset's own place indexes (src/services/findings.ts); the enterprise partial index stays (an
// enterprise user's scope, the list's enterprise filter). The place columns stay: the list shows them.
// observations: every reader asks for one asset's evidence by time (verification, the honeypot
// view), so the primary key is (asset, observed at, content hash): the same evidence sent twice
// still collides, and observations_asset goes. On SQLite both tables are rebuilt (a constraint
// cannot be dropped there), observations WITHOUT ROWID so that its primary key is the table itself
// rather than a second b-tree beside a rowid one. Findings keep their rowid: their ids arrive out
// of order within a millisecond, and a table ordered by them took 13% more pages (measured).
async function up009(db: Db, dialect: DialectName): Promise<void> {
  const findings = (name: string) =>
    db.schema
      .createTable(name)
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('asset_id', 'text', (c) => c.notNull())
      .addColumn('service_id', 'text', (c) => c.notNull())
      .addColumn('advisory_id', 'text', (c) => c.notNull())
      .addColumn('product_id', 'text', (c) => c.notNull())
      .addColumn('ip', 'text', (c) => c.notNull())
      .addColumn('port', 'integer', (c) => c.notNull())
      .addColumn('province_code', 'text')
      .addColumn('city_code', 'text')
      .addColumn('county_code', 'text')
      .addColumn('enterprise_id', 'text')
      .addColumn('cves', 'text', (c) => c.notNull())
      .addColumn('confidence', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('cvss', 'double precision')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('findings_asset_service_advisory', ['asset_id', 'service_id', 'advisory_id']);
  const observations = (name: string) =>
    db.schema
      .createTable(name)
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('asset_id', 'text', (c) => c.notNull())
      .addColumn('ip', 'text', (c) => c.notNull())
      .addColumn('port', 'integer', (c) => c.notNull())
      .addColumn('transport', 'text', (c) => c.notNull())
      .addColumn('protocol', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('via', 'text')
      .addColumn('observed_at', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('identity', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('observations_asset_time', ['asset_id', 'observed_at', 'id'])
      .modifyEnd(sql`without rowid`);
  if (dialect === 'sqlite') {
    for (const [table, build] of [['findings', findings], ['observations', observations]] as const) {
      await build(`${table}_009`).execute();
      await sql`INSERT INTO ${sql.table(`${table}_009`)} SELECT * FROM ${sql.table(table)}`.execute(db);
      await db.schema.dropTable(table).execute();
      await sql`ALTER TABLE ${sql.table(`${table}_009`)} RENAME TO ${sql.table(table)}`.execute(db);
    }
    await db.schema.createIndex('findings_enterprise').on('findings').column('enterprise_id').where('enterprise_id', 'is not', null).execute();
    return;
  }
  await sql`ALTER TABLE findings DROP CONSTRAINT findings_service_advisory`.execute(db);
  await sql`ALTER TABLE findings ADD CONSTRAINT findings_asset_service_advisory UNIQUE (asset_id, service_id, advisory_id)`.execute(db);
  await db.schema.dropIndex('findings_asset').execute();
  await db.schema.dropIndex('findings_city').execute();
  await sql`ALTER TABLE observations DROP CONSTRAINT observations_pkey`.execute(db);
  await sql`ALTER TABLE observations ADD CONSTRAINT observations_asset_time PRIMARY KEY (asset_id, observed_at, id)`.execute(db);
  await db.schema.dropIndex('observations_asset').execute();
}

// A finding's reason sentence (about 150 of its 400 bytes) is the same for every device of one model
// and firmware: findings keep a 16-character key, match_reasons each sentence once. Existing
// findings are rewritten to keys (through a temporary index on the sentences).
async function up010(db: Db): Promise<void> {
  await db.schema
    .createTable('match_reasons')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('reason', 'text', (c) => c.notNull())
    .execute();
  const reasons = (await sql<{ reason: string }>`SELECT DISTINCT reason FROM findings`.execute(db)).rows.map((r) => r.reason);
  if (!reasons.length) return;
  for (let i = 0; i < reasons.length; i += 500) {
    const rows = reasons.slice(i, i + 500).map((reason) => ({ key: reasonKey(reason), reason }));
    await db.insertInto('match_reasons' as never).values(rows as never).onConflict((oc) => oc.doNothing()).execute();
  }
  await db.schema.createIndex('match_reasons_010').on('match_reasons').column('reason').execute();
  await sql`UPDATE findings SET reason = (SELECT m.key FROM match_reasons m WHERE m.reason = findings.reason)`.execute(db);
  await db.schema.dropIndex('match_reasons_010').execute();
}

// A new device writes about thirty b-tree entries; these are the ones no reader needs.
// Asset place and vendor indexes: every reader asks them for one value (the inventory's region,
// enterprise and vendor filters, a county analyst's or enterprise user's scope: col = ?), which
// implies col IS NOT NULL, so both planners use an index that leaves NULL out. Most addresses lie
// in no registered enterprise network and carry no county (the region pack's ranges are city-level;
// a county comes from an enterprise network): such a new asset skips two of the eight b-trees of
// assets, three when no identity names its vendor.
// identities_asset: the inventory page now reaches an asset's identities through its services
// (services_endpoint, then the identity's key), the only reader that asked by asset.
async function up011(db: Db): Promise<void> {
  const partial: [string, string][] = [
    ['assets_county_ip_id', 'county_code'],
    ['assets_enterprise_ip_id', 'enterprise_id'],
    ['assets_vendor_ip_id', 'vendor'],
  ];
  // Kysely runs SQLite migrations outside a transaction: drops that tolerate a missing index let a
  // start after a crash half-way through this one run it again.
  for (const [name, column] of partial) {
    await db.schema.dropIndex(name).ifExists().execute();
    await db.schema.createIndex(name).on('assets').columns([column, 'ip_key', 'id']).where(column, 'is not', null).execute();
  }
  await db.schema.dropIndex('identities_asset').ifExists().execute();
}

// Every text column of the platform's tables compares bytes, as SQLite's do, on PostgreSQL too.
// Its keys (ids, addresses' ip_key, times, region codes) are ASCII and every listing order is
// code-point order, but under a database's C.UTF-8 (or any libc) collation PostgreSQL compares
// text through strcoll(): each b-tree descent of a new device's ~30 index entries, each step of
// an asset page's walk. Under "C" it compares with memcmp. At 200,000 devices in bench:ingest (two
// alternated runs each) new devices went from 7.3k to 8.3k/s and re-observations from 13.0k to
// 15.5k/s, the server's CPU per new device from 76 to 70 µs. Binary-coercible,
// so no table is rewritten; each table's indexes are rebuilt once (one ALTER TABLE per table).
// A table added later declares its text columns COLLATE "C" (migrations.test.ts checks).
async function up012(db: Db, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  const columns = await sql<{ table: string; column: string }>`
    SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
    WHERE table_schema = current_schema() AND data_type = 'text' AND collation_name IS DISTINCT FROM 'C'
      AND table_name NOT LIKE 'kysely\\_%'
    ORDER BY table_name, ordinal_position`.execute(db);
  const byTable = new Map<string, string[]>();
  for (const { table, column } of columns.rows) (byTable.get(table) ?? byTable.set(table, []).get(table)!).push(column);
  for (const [table, names] of byTable) {
    await sql`ALTER TABLE ${sql.table(table)} ${sql.join(names.map((c) => sql`ALTER COLUMN ${sql.ref(c)} TYPE text COLLATE "C"`))}`.execute(db);
  }
}

export function migrations(dialect: DialectName): Record<string, Migration> {
  return {
    '001-initial': { up: up001 },
    '002-audit-append-only': { up: (db) => up002(db, dialect) },
    '003-warning-loop': { up: up003 },
    '004-honeypot': { up: up004 },
    '005-scans': { up: up005 },
    '006-scan-gone-after': { up: up006 },
    '007-findings-without-ip-index': { up: (db) => up007(db, dialect) },
    '008-asset-keyset-indexes': { up: up008 },
    '009-findings-and-observations-by-asset': { up: (db) => up009(db, dialect) },
    '010-match-reasons': { up: up010 },
    '011-ingest-without-unasked-index-entries': { up: up011 },
    '012-text-compares-bytes': { up: (db) => up012(db, dialect) },
  };
}
