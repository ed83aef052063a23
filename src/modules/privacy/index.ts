// The privacy module's public face: the GDPR requests (access and erasure) over every module's privacy port.
export { erasePersonByEmail, type PrivacyDeps } from './service.ts'
