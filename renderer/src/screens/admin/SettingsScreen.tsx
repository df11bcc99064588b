// TEMPORARY adapter (being replaced).
import { useLocation } from 'wouter';
import { useCall } from '../../lib/session';
import { SettingsScreen as Old } from '../SettingsScreen';
export function SettingsScreen() {
  const [, navigate] = useLocation();
  return <div className="screen"><Old call={useCall()} onBack={() => navigate('/search')} /></div>;
}
