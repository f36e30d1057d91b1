// Bulletins (通报): one Word document per warning, in Chinese.
export { buildBulletin, bulletinTitle, type BulletinData, type BulletinFinding } from './bulletin.ts';
