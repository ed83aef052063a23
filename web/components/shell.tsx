import {
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  Menu,
  NavLink,
  Select,
  Text,
  UnstyledButton,
  useMantineColorScheme,
  VisuallyHidden,
} from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import {
  IconAward,
  IconBell,
  IconBooks,
  IconBuilding,
  IconCheck,
  IconChevronDown,
  IconDeviceDesktop,
  IconFlag,
  IconHistory,
  IconHome,
  IconKey,
  IconLanguage,
  IconLogout,
  IconMail,
  IconMessages,
  IconMoon,
  IconSchool,
  IconSparkles,
  IconSun,
  IconTrophy,
  IconUserCircle,
  IconUsers,
  IconUsersGroup,
  IconWebhook,
} from '@tabler/icons-react'
import { type ReactNode, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useLocation, useNavigate } from 'react-router'
import { api } from '../api/client.ts'
import { useUnreadTotal } from '../hooks/messages.ts'
import { useRealtimeConnection } from '../hooks/realtime.ts'
import { isSchoolAdmin, isStaff, type Me, useResetSession } from '../hooks/session.ts'
import { chooseLanguage, type Language, languages } from '../i18n/index.ts'
import { NotificationBell } from './notification-bell.tsx'
import { notify } from './notify.ts'
import { PersonAvatar } from './person-avatar.tsx'
import { useErrorMessage } from './query-state.tsx'
import classes from './shell.module.css'

type NavItem = { to: string; label: string; icon: ReactNode }

const appearances = [
  { value: 'auto', icon: <IconDeviceDesktop size={16} /> },
  { value: 'light', icon: <IconSun size={16} /> },
  { value: 'dark', icon: <IconMoon size={16} /> },
] as const

function navFor(me: Me, t: (key: string) => string): NavItem[] {
  const items: NavItem[] = [{ to: '/', label: t('nav.home'), icon: <IconHome size={18} /> }]
  if (me.role) items.push({ to: '/messages', label: t('messages.nav'), icon: <IconMessages size={18} /> })
  if (me.student_id) {
    items.push(
      { to: '/leaderboard', label: t('nav.leaderboard'), icon: <IconTrophy size={18} /> },
      { to: '/badges', label: t('nav.badges'), icon: <IconAward size={18} /> },
      { to: '/library', label: t('nav.library'), icon: <IconBooks size={18} /> },
    )
  }
  const role = me.role
  if (role === 'owner' || role === 'admin') {
    items.push({ to: '/teach/courses', label: t('nav.courses'), icon: <IconSchool size={18} /> })
  }
  if (role === 'owner' || role === 'admin' || role === 'support') {
    items.push({ to: '/admin/members', label: t('nav.members'), icon: <IconUsers size={18} /> })
  }
  if (isStaff(role)) {
    items.push({ to: '/admin/teams', label: t('nav.teams'), icon: <IconUsersGroup size={18} /> })
  }
  if (isSchoolAdmin(role)) {
    items.push(
      { to: '/admin/school', label: t('nav.school_settings'), icon: <IconBuilding size={18} /> },
      { to: '/admin/gamification', label: t('nav.gamification_settings'), icon: <IconSparkles size={18} /> },
      { to: '/admin/tokens', label: t('nav.tokens'), icon: <IconKey size={18} /> },
      { to: '/admin/webhooks', label: t('nav.webhooks'), icon: <IconWebhook size={18} /> },
      { to: '/admin/mail-log', label: t('notifications.mail_log.nav'), icon: <IconMail size={18} /> },
      { to: '/messages/reports', label: t('moderation.nav'), icon: <IconFlag size={18} /> },
    )
  }
  if (role === 'owner') {
    items.push({ to: '/admin/audit', label: t('nav.audit'), icon: <IconHistory size={18} /> })
  }
  return items
}

/** The frame of every signed-in page: the school, the navigation, the language, the account. */
export function Shell({ me, children }: { me: Me; children: ReactNode }) {
  const { t, i18n } = useTranslation()
  const [opened, { toggle, close }] = useDisclosure()
  const location = useLocation()
  const navigate = useNavigate()
  const reset = useResetSession()
  const errorMessage = useErrorMessage()
  const { colorScheme, setColorScheme } = useMantineColorScheme()
  const items = navFor(me, t)
  // The longest entry the address starts with: /messages/reports is its own entry, not Messages.
  const activeItem = items
    .map((item) => item.to)
    .filter((to) => (to === '/' ? location.pathname === '/' : location.pathname.startsWith(to)))
    .sort((a, b) => b.length - a.length)[0]
  // One live connection per signed-in tab (messages, notifications); pages poll while it is down.
  const inSchool = me.organisation !== null && me.role !== null
  // After the page's first drawing: a phone on a slow network spends its first seconds on the page itself.
  const [settled, setSettled] = useState(false)
  useEffect(() => {
    const timer = setTimeout(() => setSettled(true), 1500)
    return () => clearTimeout(timer)
  }, [])
  useRealtimeConnection(inSchool && settled)
  const unread = useUnreadTotal(inSchool && settled).data ?? 0

  const signOut = async () => {
    await api.POST('/api/auth/logout').catch(() => undefined)
    await reset()
    navigate('/signin')
  }
  const switchSchool = async (orgId: string | null) => {
    if (!orgId || orgId === me.organisation?.id) return
    try {
      await api.POST('/api/auth/organisation', { body: { org_id: orgId } })
      await reset()
      navigate('/')
    } catch (err) {
      notify(errorMessage(err), 'red')
    }
  }
  const setLanguage = async (language: Language) => {
    chooseLanguage(language)
    // The choice follows the account to other devices; the interface switched already.
    await api.PATCH('/api/auth/me', { body: { locale: language } }).catch(() => undefined)
    await reset()
  }

  return (
    <>
      {/* The browser moves focus to <main> (focusable by script only), so the next Tab goes on from there. */}
      <a href="#main" className={classes.skipLink}>
        {t('nav.skip_to_content')}
      </a>
      <AppShell
        header={{ height: 60 }}
        navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: !opened } }}
        padding="md"
      >
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap">
              <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.menu')} />
              <Text component={Link} to="/" fw={700} size="lg" c="var(--sillon-heading-color)">
                Sillon
              </Text>
              {me.organisations.length > 1 ? (
                <Select
                  aria-label={t('nav.school')}
                  size="xs"
                  w={200}
                  visibleFrom="xs"
                  data={me.organisations.map((o) => ({ value: o.id, label: o.name }))}
                  value={me.organisation?.id ?? null}
                  onChange={(value) => void switchSchool(value)}
                  allowDeselect={false}
                />
              ) : (
                <Text size="sm" c="dimmed" visibleFrom="xs" truncate>
                  {me.organisation?.name}
                </Text>
              )}
            </Group>
            <Group gap="xs" wrap="nowrap">
              {inSchool && <NotificationBell myId={me.user.id} settled={settled} />}
              <Menu position="bottom-end">
                <Menu.Target>
                  <Button variant="subtle" size="compact-sm" leftSection={<IconLanguage size={16} />}>
                    <VisuallyHidden>{t('nav.language_current')} </VisuallyHidden>
                    {i18n.language.toUpperCase()}
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  {languages.map((language) => (
                    <Menu.Item key={language} onClick={() => void setLanguage(language)} lang={language}>
                      {t(`languages.${language}`)}
                    </Menu.Item>
                  ))}
                </Menu.Dropdown>
              </Menu>
              <Menu position="bottom-end">
                <Menu.Target>
                  <UnstyledButton>
                    <Group gap={6} wrap="nowrap">
                      <PersonAvatar name={me.user.name} image={me.user.image} size={28} />
                      <Text size="sm" fw={500} truncate maw={140}>
                        {me.user.name}
                      </Text>
                      <VisuallyHidden>({t('nav.account')})</VisuallyHidden>
                      <IconChevronDown size={14} aria-hidden />
                    </Group>
                  </UnstyledButton>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Label>{me.user.email}</Menu.Label>
                  <Menu.Item component={Link} to="/profile" leftSection={<IconUserCircle size={16} />}>
                    {t('profile.menu')}
                  </Menu.Item>
                  {inSchool && (
                    <Menu.Item
                      component={Link}
                      to="/profile/notifications"
                      leftSection={<IconBell size={16} />}
                    >
                      {t('notifications.preferences.title')}
                    </Menu.Item>
                  )}
                  <Menu.Divider />
                  {me.organisations.length > 1 && (
                    <>
                      <Menu.Label>{t('nav.school')}</Menu.Label>
                      {me.organisations.map((o) => (
                        <Menu.Item
                          key={o.id}
                          leftSection={
                            o.id === me.organisation?.id ? (
                              <IconCheck size={16} />
                            ) : (
                              <span style={{ width: 16 }} />
                            )
                          }
                          onClick={() => void switchSchool(o.id)}
                        >
                          {o.name}
                        </Menu.Item>
                      ))}
                      <Menu.Divider />
                    </>
                  )}
                  <Menu.Label>{t('nav.appearance')}</Menu.Label>
                  {appearances.map((appearance) => (
                    <Menu.Item
                      key={appearance.value}
                      leftSection={appearance.icon}
                      rightSection={colorScheme === appearance.value ? <IconCheck size={16} /> : null}
                      aria-current={colorScheme === appearance.value ? 'true' : undefined}
                      onClick={() => setColorScheme(appearance.value)}
                    >
                      {t(`nav.appearance_${appearance.value}`)}
                    </Menu.Item>
                  ))}
                  <Menu.Divider />
                  <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => void signOut()}>
                    {t('nav.sign_out')}
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="xs" aria-label={t('nav.main')}>
          {items.map((item) => (
            <NavLink
              key={item.to}
              component={Link}
              to={item.to}
              label={item.label}
              leftSection={item.icon}
              rightSection={
                item.to === '/messages' && unread > 0 ? (
                  <Badge size="sm" circle={unread < 10} data-testid="nav-unread">
                    <span aria-hidden>{unread}</span>
                    <VisuallyHidden>{t('messages.nav_unread', { count: unread })}</VisuallyHidden>
                  </Badge>
                ) : undefined
              }
              active={item.to === activeItem}
              onClick={close}
            />
          ))}
        </AppShell.Navbar>
        <AppShell.Main id="main" tabIndex={-1}>
          {children}
        </AppShell.Main>
      </AppShell>
    </>
  )
}
